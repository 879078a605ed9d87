"""kombu 5.2.4's SQS transport as the peer of the .NET integration tests (run with /usr/bin/python3).

    sqs_peer.py consume ENDPOINT PREFIX QUEUE COUNT [TIMEOUT_S]
        Consumes COUNT messages from QUEUE with kombu's SQS transport, acks them, and prints a JSON
        list: body (text), headers, properties (kombu's transport keys removed), content_type,
        content_encoding, exchange, routing_key, sqs_queue (the URL kombu read from).
    sqs_peer.py publish ENDPOINT PREFIX  < {"queues": [{"name", "routing_key"}], "exchange", "routing_key",
                                           "messages": [{"body", "headers", "properties"}]}
        Declares the queues bound to a topic exchange (kombu keeps bindings per connection) and
        publishes each message through it, as a Celery producer does. Prints the number sent.
ENDPOINT is http://HOST:PORT; the broker URL is sqs://test:test@HOST:PORT/ with is_secure False.
"""
import json
import os
import socket
import sys

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

from kombu import Connection, Consumer, Exchange, Producer, Queue  # noqa: E402


def connection(endpoint, prefix):
    host_port = endpoint.split("://", 1)[1].rstrip("/")
    return Connection("sqs://test:test@%s/" % host_port, transport_options={
        "region": "us-east-1", "queue_name_prefix": prefix, "is_secure": False,
        "wait_time_seconds": 1, "visibility_timeout": 30, "polling_interval": 0.1})


def consume(endpoint, prefix, queue_name, count, timeout):
    received = []
    exchange = Exchange("task_exchange", type="topic")

    def on_message(body, message):
        props = dict(message.properties)
        info = props.pop("delivery_info", {})
        props.pop("delivery_tag", None)
        props.pop("body_encoding", None)
        raw = message.body
        received.append({
            "body": raw.decode("utf-8") if isinstance(raw, bytes) else raw,
            "headers": message.headers,
            "properties": props,
            "content_type": message.content_type,
            "content_encoding": message.content_encoding,
            "exchange": info.get("exchange"),
            "routing_key": info.get("routing_key"),
            "sqs_queue": info.get("sqs_queue"),
        })
        message.ack()

    with connection(endpoint, prefix) as conn:
        queue = Queue(queue_name, exchange, routing_key=queue_name)
        with Consumer(conn, [queue], callbacks=[on_message], accept=None):
            waited = 0.0
            while len(received) < count and waited < timeout:
                try:
                    conn.drain_events(timeout=1)
                except socket.timeout:
                    waited += 1
    json.dump(received, sys.stdout)


def publish(endpoint, prefix, spec):
    exchange = Exchange(spec.get("exchange", "task_exchange"), type="topic")
    with connection(endpoint, prefix) as conn:
        channel = conn.channel()
        for q in spec["queues"]:
            Queue(q["name"], exchange, routing_key=q["routing_key"])(channel).declare()
        producer = Producer(channel)
        for m in spec["messages"]:
            properties = dict(m.get("properties", {}))
            producer.publish(m["body"], exchange=exchange, routing_key=spec["routing_key"],
                             content_type="application/json", content_encoding="utf-8",
                             headers=m.get("headers", {}), serializer=None, **properties)
    print(len(spec["messages"]))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "consume":
        consume(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]) if len(sys.argv) > 6 else 30)
    elif command == "publish":
        publish(sys.argv[2], sys.argv[3], json.load(sys.stdin))
    else:
        sys.exit("usage: sqs_peer.py consume|publish ...")
