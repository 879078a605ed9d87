"""The Python side of the interoperability tests: Celery 5.2 / kombu 5.2 as Debian ships them.

Run with Debian's interpreter (/usr/bin/python3). The app has the Cadasta topology exactly as the
Python toolbox (cadasta-workertoolbox's Config) builds it: a topic exchange `task_exchange`, queue
`celery` bound by `celery`, the platform queue bound by `#`, one queue per name in QUEUES bound by its
own name, and a router that sends a task by the first dot-separated segment of its name.
Its tasks mirror samples/DemoWorker under the `py.` prefix (so a test can tell which side ran what),
and the `msg.` names are registered too so a Python worker can stand in for ours.

SQS: kombu 5.2 keeps a virtual transport's bindings per Connection (sqs_bindings_repro.py shows a
publish on another connection silently dropped), so on sqs:// the router asks every publish to declare
the topology on its own connection: `send`, `chain`, `chord` and a worker's callbacks, chain steps and
chord_unlock then all reach their queues and platform.fifo.

Environment: CELERY_BROKER_URL, CELERY_RESULT_BACKEND, CELERY_QUEUES (a Python literal, default
('msg', 'export', 'py')), CELERY_QUEUE_PREFIX (SQS only), CELERY_PLATFORM_QUEUE_NAME.

Commands (each prints JSON on stdout):
  worker -Q py            run a worker (the same as `celery -A peer worker`)
  send NAME [--args JSON] [--kwargs JSON] [--countdown S] [--expires S] [--link NAME:ARGS_JSON] [--option K=JSON]
       [--traceparent TP] [--amqp-timestamp EPOCH_SECONDS]
                                       prints {"id", "links": [callback ids]}
         --traceparent: the W3C header added on before_task_publish, as opentelemetry-instrumentation-celery does
         --amqp-timestamp: the AMQP basic property `timestamp` (py-amqp packs it as whole epoch seconds)
  chain NAME:ARGS_JSON ...             send a chain, print the id of its last task
  chord BODY:ARGS_JSON HEADER:ARGS_JSON ...   send a chord, print the body id
  get TASK_ID [--timeout S]            AsyncResult.get: {"status", "result"} or {"status", "exc_type", "exc_message"}
  platform [--count N] [--timeout S] [--root ID]... [--until TASK]
                                       consume the platform queue as the Cadasta platform does
  declare                              declare exchange, queues and bindings
"""
import argparse
import ast
import json
import os
import sys
import time

from celery import Celery, chain, chord, signals
from celery.exceptions import Retry
from kombu import Exchange, Queue


def _literal(name, default):
    value = os.environ.get(name)
    return default if value is None else ast.literal_eval(value)


BROKER_URL = os.environ.get('CELERY_BROKER_URL', 'amqp://guest:guest@127.0.0.1:5672//')
RESULT_BACKEND = os.environ.get('CELERY_RESULT_BACKEND', 'db+postgresql://worker:cadasta@127.0.0.1:5432/cadasta')
QUEUES = tuple(_literal('CELERY_QUEUES', ('msg', 'export', 'py')))
PLATFORM_QUEUE = os.environ.get('CELERY_PLATFORM_QUEUE_NAME', 'platform.fifo')
QUEUE_PREFIX = os.environ.get('CELERY_QUEUE_PREFIX', 'dev')
VIRTUAL_BROKER = BROKER_URL.startswith('sqs://')

task_exchange = Exchange('task_exchange', type='topic')


def route_task(name, args, kwargs, options, task=None, **kw):
    route = {'routing_key': name.split('.')[0], 'exchange': task_exchange}
    if VIRTUAL_BROKER:
        # kombu 5.2 keeps a virtual transport's exchanges and bindings per Connection
        # (virtual/base.py Transport.__init__: self.state = BrokerState()), so a publish on a
        # connection that never declared them is dropped silently. Every publish,
        # including a worker's callbacks, chain steps and chord_unlock, goes through this router:
        # asking Producer.publish to declare the whole topology (maybe_declare: once per
        # connection) makes the bindings exist wherever the message is published.
        route['declare'] = list(app.amqp.queues.values())
    return route


app = Celery('peer')
app.conf.update(
    broker_url=BROKER_URL,
    result_backend=RESULT_BACKEND,
    broker_transport_options={
        'region': 'us-west-2',
        'queue_name_prefix': QUEUE_PREFIX + '-',
        'wait_time_seconds': 1,
        'visibility_timeout': 20,
        'is_secure': False,
        'polling_interval': 0.1,
    },
    task_default_exchange='task_exchange',
    task_default_exchange_type='topic',
    task_queues=[Queue('celery', task_exchange, routing_key='celery'),
                 Queue(PLATFORM_QUEUE, task_exchange, routing_key='#')]
    + [Queue(q, task_exchange, routing_key=q) for q in QUEUES],
    task_routes=(route_task,),
    task_track_started=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
)


def declare(connection=None):
    if connection is not None:
        for queue in app.amqp.queues.values():
            queue.bind(connection.default_channel).declare()
        return
    with app.connection_for_write() as conn:
        declare(conn)


@signals.worker_init.connect
def _setup(**_):
    # The toolbox's setup_app: declare everything, bound chord_unlock's retries.
    declare()
    app.tasks['celery.chord_unlock'].max_retries = 21600


def _register(prefix):
    @app.task(name=prefix + '.add')
    def add(a, b):
        return a + b

    @app.task(name=prefix + '.noop')
    def noop():
        return None

    @app.task(name=prefix + '.echo')
    def echo(*args, **kwargs):
        return {'args': list(args), 'kwargs': kwargs}

    @app.task(name=prefix + '.fail')
    def fail(message):
        raise ValueError(message)

    @app.task(name=prefix + '.sleep')
    def sleep(seconds):
        time.sleep(seconds)
        return seconds

    @app.task(name=prefix + '.retry', bind=True, max_retries=None)
    def retry(self, times):
        if self.request.retries < times:
            raise self.retry(countdown=0.1)
        return self.request.retries


_register('py')
_register('msg')


# What opentelemetry-instrumentation-celery reads on task_prerun, seen through its own getter:
# CeleryGetter.get(carrier, key) is getattr(carrier, key, None) on carrier = task.request.
_prerun_trace_context = {}


@signals.task_prerun.connect
def _read_trace_context(task_id=None, task=None, **_):
    if task is not None and task.name == 'py.trace_context':
        _prerun_trace_context[task_id] = {key: getattr(task.request, key, None) for key in ('traceparent', 'tracestate')}


@app.task(name='py.trace_context', bind=True)
def trace_context(self):
    """Returns the trace context as the instrumentation extracts it, and our sent-at header as Celery keeps it."""
    seen = _prerun_trace_context.pop(self.request.id, {})
    return {'prerun_traceparent': seen.get('traceparent'),
            'prerun_tracestate': seen.get('tracestate'),
            'request_traceparent': getattr(self.request, 'traceparent', None),
            'x-cadasta-sent-at': getattr(self.request, 'x-cadasta-sent-at', None)}


def _inject_traceparent(traceparent):
    # opentelemetry-instrumentation-celery's _trace_before_publish: inject(headers), whose default
    # setter does headers['traceparent'] = '00-<trace id>-<span id>-<flags>' on the message headers.
    def inject(headers=None, **_):
        if headers:
            headers['traceparent'] = traceparent
    signals.before_task_publish.connect(inject, weak=False)


def _sig(spec, immutable=False):
    name, _, args = spec.partition(':')
    args = json.loads(args) if args else []
    return app.signature(name, args=args, immutable=immutable)


def _options(pairs):
    options = {}
    for pair in pairs or []:
        key, _, value = pair.partition('=')
        options[key] = json.loads(value)
    return options


def _outcome(result, timeout):
    try:
        value = result.get(timeout=timeout, interval=0.1, propagate=True)
        return {'status': result.status, 'result': value}
    except Exception as exc:  # the remote failure, rebuilt by Celery
        if result.status in ('PENDING', 'STARTED', 'RETRY'):
            return {'status': result.status, 'error': type(exc).__name__, 'detail': str(exc)}
        return {'status': result.status, 'exc_type': type(exc).__name__,
                'exc_module': type(exc).__module__, 'exc_message': list(exc.args)}


def _platform(count, timeout, roots=None, until=None):
    # As the Cadasta platform's sync_tasks consumer reads platform.fifo (cadasta/tasks/consumer.py).
    # roots: keep only the messages of these task families (others are acked and skipped, so a test
    # sees only its own messages); until: stop once a message of this task was kept.
    seen = []
    done = []
    deadline = time.monotonic() + timeout
    with app.connection_for_read() as conn:
        queue = Queue(PLATFORM_QUEUE, task_exchange, routing_key='#')

        def on_message(body, message):
            args, kwargs, embed = message.decode()
            headers = message.headers
            message.ack()
            if roots and headers.get('root_id') not in roots:
                return
            seen.append({'headers': {k: headers.get(k) for k in
                                     ('id', 'task', 'parent_id', 'root_id', 'eta', 'expires', 'retries', 'timelimit', 'group',
                                      'x-cadasta-properties')},
                         'args': args, 'kwargs': kwargs, 'embed': embed,
                         'properties': {k: v for k, v in message.properties.items()
                                        if k not in ('delivery_info', 'delivery_tag')},
                         'content_type': message.content_type})
            if until and headers.get('task') == until:
                done.append(True)

        with conn.Consumer(queue, accept=['pickle', 'json'], callbacks=[on_message]):
            while not done and (until or len(seen) < count) and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=0.5)
                except Exception:  # socket.timeout on AMQP, Empty on virtual transports
                    pass
    return seen


def main(argv):
    parser = argparse.ArgumentParser(prog='peer')
    sub = parser.add_subparsers(dest='command', required=True)
    send = sub.add_parser('send')
    send.add_argument('name')
    send.add_argument('--args', default='[]')
    send.add_argument('--kwargs', default='{}')
    send.add_argument('--countdown', type=float)
    send.add_argument('--expires', type=float)
    send.add_argument('--task-id')
    send.add_argument('--link', action='append')
    send.add_argument('--link-error', action='append')
    send.add_argument('--option', action='append')
    send.add_argument('--traceparent')
    send.add_argument('--amqp-timestamp', type=int)
    ch = sub.add_parser('chain')
    ch.add_argument('steps', nargs='+')
    cd = sub.add_parser('chord')
    cd.add_argument('body')
    cd.add_argument('header', nargs='+')
    get = sub.add_parser('get')
    get.add_argument('task_id')
    get.add_argument('--timeout', type=float, default=30)
    plat = sub.add_parser('platform')
    plat.add_argument('--count', type=int, default=1)
    plat.add_argument('--timeout', type=float, default=10)
    plat.add_argument('--root', action='append')
    plat.add_argument('--until')
    sub.add_parser('declare')
    sub.add_parser('worker', help='run a worker; the remaining arguments go to celery worker')
    if argv[:1] == ['worker']:
        app.worker_main(['worker', '--loglevel', 'INFO', '--pool', 'solo', '--without-gossip',
                         '--without-mingle', '--without-heartbeat'] + argv[1:])
        return 0
    ns = parser.parse_args(argv)
    if ns.command == 'declare':
        declare()
        out = {'declared': sorted(app.amqp.queues)}
    elif ns.command == 'send':
        declare()
        options = _options(ns.option)
        links = []
        if ns.link:
            # Frozen, so each callback's id is known here and its result can be read with `get`.
            options['link'] = [_sig(s) for s in ns.link]
            links = [sig.freeze().id for sig in options['link']]
        if ns.link_error:
            options['link_error'] = [_sig(s) for s in ns.link_error]
        if ns.traceparent:
            _inject_traceparent(ns.traceparent)
        if ns.amqp_timestamp is not None:
            # Celery hands unknown apply_async options to kombu as message properties.
            options['timestamp'] = ns.amqp_timestamp
        result = app.send_task(ns.name, args=json.loads(ns.args), kwargs=json.loads(ns.kwargs),
                               countdown=ns.countdown, expires=ns.expires, task_id=ns.task_id, **options)
        out = {'id': result.id, 'links': links}
    elif ns.command == 'chain':
        declare()
        result = chain(*[_sig(s) for s in ns.steps]).apply_async()
        out = {'id': result.id}
    elif ns.command == 'chord':
        declare()
        # Celery 5.2 with the Cadasta router needs an explicit queue on the body (facts §1.10).
        body = _sig(ns.body).set(queue=ns.body.split('.')[0])
        result = chord([_sig(s) for s in ns.header])(body)
        out = {'id': result.id}
    elif ns.command == 'get':
        out = _outcome(app.AsyncResult(ns.task_id), ns.timeout)
    elif ns.command == 'platform':
        out = _platform(ns.count, ns.timeout, set(ns.root or []), ns.until)
    print(json.dumps(out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
