#!/usr/bin/python3
"""Capture real Celery 5.2 task messages as JSON fixtures for the .NET protocol tests.

Run with Debian's interpreter (it has celery 5.2.6 / kombu 5.2.4):

    /usr/bin/python3 tests/interop/capture_messages.py [OUTPUT_DIR]

The app mirrors the Cadasta toolbox configuration (topic exchange ``task_exchange``, queues
``celery``/``msg``/``export`` bound by their own name and ``platform.fifo`` bound with ``#``,
first-segment router, database result backend so chords fall back to ``celery.chord_unlock``).
The broker is kombu's ``memory://`` transport; every published message also lands in
``platform.fifo``, from which the script reads the raw kombu envelopes in publish order.

To make fixtures reproducible, ids come from a counter (``00000000-0000-4000-8000-00000000000N``
in the order Celery asks for them) and ``app.now()`` is pinned to FIXED_NOW. ``origin`` and
``reply_to`` are left as Celery makes them (they depend on the pid and the app).
"""
import base64
import datetime
import itertools
import json
import os
import sys
import tempfile

import celery.app.base
import celery.canvas
import celery.result
from celery import Celery, chain, chord, group
from kombu import Exchange, Queue

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)),
    '..', 'Cadasta.WorkerToolbox.Tests', 'Fixtures', 'celery-5.2')

FIXED_NOW = datetime.datetime(2026, 11, 28, 9, 34, 16, 338006, tzinfo=datetime.timezone.utc)

_counter = itertools.count(1)


def next_id():
    return '00000000-0000-4000-8000-%012d' % next(_counter)


# Celery imports `uuid` by name into these modules; replace every binding with the counter.
for module in (celery.app.base, celery.canvas, celery.result):
    if hasattr(module, 'uuid'):
        module.uuid = next_id
import celery.app.task  # noqa: E402
if hasattr(celery.app.task, 'uuid'):
    celery.app.task.uuid = next_id

EXCHANGE = Exchange('task_exchange', type='topic')


def route_task(name, args, kwargs, options, task=None, **kw):
    return {'routing_key': name.split('.')[0], 'exchange': EXCHANGE}


def make_app(protocol):
    db = os.path.join(tempfile.mkdtemp(prefix='capture-'), 'results.db')
    app = Celery('capture', broker='memory://', backend='db+sqlite:///' + db, set_as_current=False)
    app.conf.update(
        task_protocol=protocol,
        task_default_exchange='task_exchange',
        task_default_exchange_type='topic',
        task_default_queue='celery',
        task_queues=[
            Queue('celery', EXCHANGE, routing_key='celery'),
            Queue('platform.fifo', EXCHANGE, routing_key='#'),
            Queue('msg', EXCHANGE, routing_key='msg'),
            Queue('export', EXCHANGE, routing_key='export'),
        ],
        task_routes=(route_task,),
        task_track_started=True,
    )
    app.now = lambda: FIXED_NOW

    @app.task(name='msg.add')
    def add(a, b):
        return a + b

    @app.task(name='msg.noop')
    def noop(*args, **kwargs):
        return None

    @app.task(name='export.project')
    def project(*args, **kwargs):
        return True

    @app.task(name='export.utils.create_result')
    def create_result(*args, **kwargs):
        return {}

    with app.connection_for_write() as conn:
        for queue in app.amqp.queues.values():
            queue(conn.default_channel).declare()
    return app


def drain(app):
    """Every message published so far, in publish order, read raw from platform.fifo."""
    messages = []
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        while True:
            try:
                envelope = channel._get('platform.fifo')
            except Exception:  # kombu raises queue.Empty
                break
            properties = dict(envelope['properties'])
            raw = base64.b64decode(envelope['body']).decode('utf-8') \
                if properties.get('body_encoding') == 'base64' else envelope['body']
            delivery_info = properties.pop('delivery_info')
            for transport_key in ('body_encoding', 'delivery_tag'):
                properties.pop(transport_key, None)
            messages.append({
                'exchange': delivery_info['exchange'],
                'routing_key': delivery_info['routing_key'],
                'content_type': envelope['content-type'],
                'content_encoding': envelope['content-encoding'],
                'headers': envelope['headers'],
                'properties': properties,
                'body': json.loads(raw),
                'body_raw': raw,
            })
    return messages


def write(app, name, description, python):
    messages = drain(app)
    fixture = {
        'name': name,
        'description': description,
        'python': python,
        'celery_version': celery.__version__,
        'now': FIXED_NOW.isoformat(),
        'reply_to': app.thread_oid,
        'messages': messages,
    }
    with open(os.path.join(OUT, name + '.json'), 'w', encoding='utf-8') as f:
        json.dump(fixture, f, indent=2, ensure_ascii=False)
        f.write('\n')
    print(f'{name}: {len(messages)} message(s)')


def case(app, name, description, python, run):
    global _counter
    _counter = itertools.count(1)
    drain(app)
    run()
    write(app, name, description, python)


def main():
    os.makedirs(OUT, exist_ok=True)
    app = make_app(2)
    add = app.tasks['msg.add']
    project = app.tasks['export.project']
    create_result = app.tasks['export.utils.create_result']
    T = 'aaaaaaaa-0000-4000-8000-000000000001'

    cases = [
        ('plain_args', 'positional args only',
         "add.apply_async((1, 2), task_id=T)",
         lambda: add.apply_async((1, 2), task_id=T)),
        ('kwargs_unicode_nested', 'kwargs with unicode (BMP and astral), escapes, nested lists/dicts, floats, big ints',
         "project.apply_async(kwargs={...}, task_id=T)",
         lambda: project.apply_async(kwargs={
             'name': 'Zoë \u00e9t\u00e9 \u4e2d\u6587 \U0001F600 "q" \'s\' \\ \n\t\x01\x7f',
             'nested': {'list': [1, 2.5, None, True, False, [], {}], 'deep': {'a': [{'b': 'c'}]}},
             'floats': [0.1, 1e16, 1e-07, -0.0, 1.5e300, 123456789.125, 1e15, 0.0001],
             'big': [2 ** 63 - 1, -2 ** 63, 2 ** 70],
             'empty': '',
         }, task_id=T)),
        ('countdown', 'countdown of 30 seconds',
         "add.apply_async((2, 3), countdown=30, task_id=T)",
         lambda: add.apply_async((2, 3), countdown=30, task_id=T)),
        ('expires', 'expires in 600 seconds plus an absolute eta, time limits, priority, retries, shadow',
         "add.apply_async((4, 5), expires=600, eta=FIXED_NOW+2.5s, time_limit=300, soft_time_limit=240, priority=5, retries=2, shadow='msg.add.shadowed', task_id=T)",
         lambda: add.apply_async((4, 5), expires=600,
                                 eta=FIXED_NOW + datetime.timedelta(seconds=2, microseconds=500000),
                                 time_limit=300, soft_time_limit=240, priority=5, retries=2,
                                 shadow='msg.add.shadowed', task_id=T)),
        ('link_and_link_error', 'link and link_error callbacks',
         "add.apply_async((1, 1), link=add.s(10), link_error=project.si('failed'), task_id=T)",
         lambda: add.apply_async((1, 1), link=add.s(10), link_error=project.si('failed'), task_id=T)),
        ('chain_of_three', 'chain of 3, the chain id goes to the last task',
         "(add.s(1, 2) | add.s(10) | add.si(100, 100)).apply_async(task_id=T)",
         lambda: (add.s(1, 2) | add.s(10) | add.si(100, 100)).apply_async(task_id=T)),
        ('group', 'group of 3',
         "group(add.s(1, 1), add.s(2, 2), project.s()).apply_async(task_id=T)",
         lambda: group(add.s(1, 1), add.s(2, 2), project.s()).apply_async(task_id=T)),
        ('chord', 'chord of 2 with a body that has an explicit queue, link and a custom option',
         "chord([add.s(1, 1), add.s(2, 2)], create_result.si('f.zip', 'http://z/1').set(queue='export', is_result=True)).apply_async(task_id=T)",
         lambda: chord([add.s(1, 1), add.s(2, 2)],
                       create_result.si('f.zip', 'http://z/1').set(queue='export', is_result=True)
                       ).apply_async(task_id=T)),
        ('custom_options', 'platform options carried as properties',
         "project.apply_async(kwargs={...}, creator_id='user123', related_content_type_id=42, related_object_id='prj123', is_result=True, task_id=T)",
         lambda: project.apply_async(
             kwargs={'org_slug': 'org', 'project_slug': 'prj', 'api_key': 'tok', 'output_type': 'xls'},
             creator_id='user123', related_content_type_id=42, related_object_id='prj123',
             is_result=True, task_id=T)),
        ('long_args_repr', 'args whose repr is longer than 1024 characters',
         "noop.apply_async((['x' * 100] * 12, 'tail'), {'k': 'v' * 2000}, task_id=T)",
         lambda: app.tasks['msg.noop'].apply_async((['x' * 100] * 12, 'tail'), {'k': 'v' * 2000}, task_id=T)),
    ]
    for name, description, python, run in cases:
        case(app, name, description, python, run)

    app1 = make_app(1)
    add1 = app1.tasks['msg.noop']
    case(app1, 'protocol_v1', 'task_protocol=1 with countdown, link and kwargs',
         "noop.apply_async((1,), {'k': 'v'}, countdown=10, link=project.s(9), task_id=T)",
         lambda: add1.apply_async((1,), {'k': 'v'}, countdown=10,
                                  link=app1.tasks['export.project'].s(9), task_id=T))


if __name__ == '__main__':
    main()
