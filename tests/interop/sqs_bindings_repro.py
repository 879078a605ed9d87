"""Minimal reproduction, kombu 5.2.4 only (no Celery, no .NET): on a virtual transport (SQS) the
exchanges and bindings live in the Transport object of one Connection (kombu/transport/virtual/base.py,
Transport.__init__: self.state = BrokerState()), so a message published on a connection that did not
declare them matches no binding and is dropped without a warning (SQS has no deadletter queue).

    /usr/bin/python3 tests/interop/sqs_bindings_repro.py   # needs scripts/services/sqs start

prints {"published_on_declaring_connection": [2], "published_on_other_connection_received": false}.
"""
import json
import uuid

from kombu import Connection, Exchange, Queue

URL = 'sqs://test:test@127.0.0.1:9324/'
OPTIONS = {'region': 'us-west-2', 'is_secure': False, 'wait_time_seconds': 1,
           'queue_name_prefix': 'repro%s-' % uuid.uuid4().hex[:8]}

exchange = Exchange('task_exchange', type='topic')
queue = Queue('msg', exchange, routing_key='msg')
received = []
with Connection(URL, transport_options=OPTIONS) as declaring, Connection(URL, transport_options=OPTIONS) as other:
    queue.bind(declaring.default_channel).declare()
    other.Producer().publish({'n': 1}, exchange=exchange, routing_key='msg')      # dropped
    declaring.Producer().publish({'n': 2}, exchange=exchange, routing_key='msg')  # delivered

    def on_message(body, message):
        received.append(body['n'])
        message.ack()

    with declaring.Consumer(queue, callbacks=[on_message]):
        for _ in range(3):
            try:
                declaring.drain_events(timeout=1.5)
            except Exception:  # Empty / timeout
                pass
    declaring.default_channel.queue_delete('msg')
print(json.dumps({'published_on_declaring_connection': received, 'published_on_other_connection_received': 1 in received}))
