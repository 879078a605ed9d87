"""Captures the SQS MessageBody that real Celery 5.2 / kombu 5.2.4 write for a Cadasta task.

Run with Debian's /usr/bin/python3 against the emulator (scripts/services/sqs start):
    /usr/bin/python3 tests/interop/sqs_capture_envelope.py http://127.0.0.1:9324 > fixture.json
Publishes `export.project` like the Cadasta platform (custom properties creator_id, related_*),
through task_exchange (topic) to `export` and `platform.fifo` (bound with '#'), then reads the raw
MessageBody of both copies with boto3 and prints them with the MessageGroupId kombu set.
"""
import json
import os
import sys
import uuid

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

import boto3  # noqa: E402
from celery import Celery  # noqa: E402
from kombu import Exchange, Queue  # noqa: E402

endpoint = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:9324"
host_port = endpoint.split("://", 1)[1].rstrip("/")
prefix = "capture-%s-" % uuid.uuid4().hex[:8]

exchange = Exchange("task_exchange", type="topic")
queues = [Queue("celery", exchange, routing_key="celery"),
          Queue("platform.fifo", exchange, routing_key="#"),
          Queue("export", exchange, routing_key="export")]
app = Celery("capture", broker="sqs://test:test@%s/" % host_port)
app.conf.update(
    broker_transport_options={"region": "us-east-1", "queue_name_prefix": prefix, "is_secure": False,
                              "wait_time_seconds": 1, "visibility_timeout": 20},
    task_default_exchange="task_exchange", task_default_exchange_type="topic",
    task_queues=queues,
    task_routes=(lambda name, args, kwargs, options, task=None, **kw:
                 {"routing_key": name.split(".")[0], "exchange": "task_exchange"},),
)

kwargs = {"org_slug": "org", "project_slug": "prj", "api_key": "tok", "output_type": "xls",
          "note": "Zürich ☃ \U0001d11e \"quoted\" \\ / \t", "ratio": 0.1, "big": 1e16, "n": 12345678901234}
with app.producer_or_acquire() as producer:
    for q in queues:
        q(producer.channel).declare()
    result = app.send_task("export.project", kwargs=kwargs, producer=producer,
                           creator_id="user123", related_content_type_id=42, related_object_id="prj123",
                           is_result=True)

sqs = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
out = {"task_id": result.id, "queue_name_prefix": prefix}
for name, key in ((prefix + "export", "export"), (prefix + "platform.fifo", "platform_fifo")):
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=2, AttributeNames=["All"])
    message = got["Messages"][0]
    out[key + "_message_body"] = message["Body"]
    out[key + "_attributes"] = {k: v for k, v in message.get("Attributes", {}).items()
                                if k in ("MessageGroupId", "MessageDeduplicationId")}
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
for q in ("celery", "export", "platform.fifo"):
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=prefix + q)["QueueUrl"])
json.dump(out, sys.stdout, indent=2, ensure_ascii=True)
print()
