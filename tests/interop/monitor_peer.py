"""The Python side of the task monitor's interoperability tests: peer.py's app (same environment variables,
same commands) plus a `montest` queue and tasks shaped like the Cadasta export flow, so a real Celery 5.2
worker produces a real task family (facts §6.5, §6.6):

  montest.export_project(**kwargs)  starts chord([montest.add(1, 1), montest.add(2, 2)]) with the body
                                    montest.create_result.si(<project_slug>.zip, url).set(is_result=True)
  montest.add(a, b)                 returns a + b
  montest.create_result(name, url)  returns {'links': [{'text': name, 'url': url}]}

Every montest.* message is routed by its first name segment to the `montest` queue only (and to the
platform queue, bound with '#'), so these tests never feed another test's queues. Tasks the tests only
send (monsend.*) reach no queue but the platform queue.

kombu 5.2 keeps a virtual transport's bindings per connection (facts §4), and Celery publishes through
pooled connections that never declared anything, so on SQS a message sent by peer.py's `send`, or by a
task inside the worker, would match no binding and be dropped. The Cadasta platform avoids that by
running setup_app (declare every queue) on the connection it publishes with; this peer does the same by
declaring the app's queues on each producer's channel before it publishes (kombu caches the declarations).

Usage: /usr/bin/python3 monitor_peer.py worker -Q montest | send NAME ... | get ID ... (see peer.py)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import peer  # noqa: E402  (the shared Cadasta-configured Celery app)
from celery import chord  # noqa: E402
from kombu import Producer, Queue  # noqa: E402

QUEUE = 'montest'
app = peer.app
app.conf.task_queues = list(app.conf.task_queues) + [Queue(QUEUE, peer.task_exchange, routing_key=QUEUE)]


_publish = Producer.publish


def _publish_after_declaring(self, body, *args, declare=None, **kwargs):
    return _publish(self, body, *args, declare=list(declare or []) + list(app.amqp.queues.values()), **kwargs)


Producer.publish = _publish_after_declaring


@app.task(name='montest.add')
def add(a, b):
    return a + b


@app.task(name='montest.create_result')
def create_result(name, url):
    return {'links': [{'text': name, 'url': url}]}


@app.task(name='montest.export_project', bind=True)
def export_project(self, org_slug, project_slug, api_key, output_type):
    # As the export worker does: the result task carries is_result; the chord body needs an explicit
    # queue with the Cadasta router on Celery 5.2 (facts §1.10).
    callback = create_result.si(project_slug + '.zip', 'http://z/1').set(is_result=True, queue=QUEUE)
    chord([add.s(1, 1), add.s(2, 2)])(callback)
    return True


if __name__ == '__main__':
    sys.exit(peer.main(sys.argv[1:]))
