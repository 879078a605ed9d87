#!/usr/bin/python3
"""Let real Celery 5.2 / kombu 5.2 read what the .NET protocol code wrote.

Reads JSON lines on stdin, writes one JSON line per input on stdout:

* ``{"kind": "json", "body": ..., "argsrepr": ..., "kwargsrepr": ...}`` — checks that
  ``kombu.utils.json.dumps(loads(body))`` gives back the very same text and that Celery's
  ``saferepr`` prints args (as a tuple) and kwargs exactly as we did. Answers ``{"ok": bool, "why": ...}``.
* ``{"kind": "message", "content_type", "content_encoding", "headers", "properties", "body"}`` —
  builds a kombu ``Message`` and Celery's worker ``Request`` from it (the code path a Celery worker
  runs when it receives a task) and answers what Celery understood: id, name, eta, expires, args,
  kwargs, ids, group, time limits, ignore_result and the embedded signatures.

Run with Debian's interpreter: ``/usr/bin/python3 tests/interop/check_protocol_messages.py``.
"""
import json
import sys

from celery import Celery
from celery.utils.saferepr import saferepr
from celery.worker.request import Request
from kombu.message import Message
from kombu.serialization import prepare_accept_content
from kombu.utils.json import dumps, loads

app = Celery('check', set_as_current=False)


def anything(*args, **kwargs):
    return None


for task_name in ('msg.add', 'msg.noop', 'export.project', 'export.utils.create_result'):
    app.task(name=task_name)(anything)
app.finalize()


def check_json(item):
    args, kwargs, embed = loads(item['body'])
    again = dumps([args, kwargs, embed])
    if again != item['body']:
        return {'ok': False, 'why': 'json', 'python': again}
    argsrepr = saferepr(tuple(args), 1024)
    if argsrepr != item['argsrepr']:
        return {'ok': False, 'why': 'argsrepr', 'python': argsrepr}
    kwargsrepr = saferepr(kwargs, 1024)
    if kwargsrepr != item['kwargsrepr']:
        return {'ok': False, 'why': 'kwargsrepr', 'python': kwargsrepr}
    return {'ok': True}


def check_message(item):
    message = Message(
        body=item['body'].encode('utf-8'), content_type=item['content_type'],
        content_encoding=item['content_encoding'], headers=item['headers'],
        properties=item['properties'], delivery_info={'exchange': 'task_exchange', 'routing_key': 'x'},
        accept=prepare_accept_content(['json']), channel=None)
    request = Request(message, app=app)
    args, kwargs, embed = message.decode()
    return {
        'ok': True,
        'id': request.id,
        'name': request.name,
        'eta': request.eta and request.eta.isoformat(),
        'expires': request.expires and request.expires.isoformat(),
        'args': list(request.args),
        'kwargs': request.kwargs,
        'argsrepr': request.argsrepr,
        'kwargsrepr': request.kwargsrepr,
        'root_id': request.root_id,
        'parent_id': request.parent_id,
        'group': request._request_dict.get('group'),
        'group_index': request._request_dict.get('group_index'),
        'time_limits': list(request.time_limits),
        'ignore_result': request.ignore_result,
        'correlation_id': request.correlation_id,
        'reply_to': request.reply_to,
        'callbacks': embed.get('callbacks'),
        'errbacks': embed.get('errbacks'),
        'chain': embed.get('chain'),
        'chord': embed.get('chord'),
    }


for line in sys.stdin:
    item = json.loads(line)
    try:
        answer = check_json(item) if item['kind'] == 'json' else check_message(item)
    except Exception as exc:  # report, never crash: the .NET test prints it
        answer = {'ok': False, 'why': f'{type(exc).__name__}: {exc}'}
    print(json.dumps(answer), flush=True)
