"""Python Celery 5.2 peer for the result-store interop tests (run with Debian's /usr/bin/python3).

Uses Celery's own database backend (celery.backends.database) on the URL given, so what it reads and writes
is exactly what a Python worker or caller would.

  result_peer.py check URL TASK_ID LITERAL [TASK_ID LITERAL ...]
      AsyncResult(id).get() for each task and compare with the Python literal, strictly (types too: int is
      not float, tuple is not list). A literal starting with '!' is an expected exception, e.g.
      "!ValueError('boom', 5)": get() must raise that class name with those args. Prints one JSON line per task.
  result_peer.py write URL TASK_ID KIND LITERAL [TRACEBACK]
      KIND: done (mark_as_done), failure (mark_as_failure, LITERAL an exception expression), started
      (mark_as_started with pid/hostname from the dict LITERAL), retry (mark_as_retry), revoked (mark_as_revoked,
      LITERAL the reason string).
  result_peer.py create URL
      Let SQLAlchemy create Celery's tables (the backend's own prepare_models).
  result_peer.py raw URL TASK_ID
      The raw row: status, hex of the result column, date_done, traceback (JSON).
"""
import ast
import builtins
import json
import math
import sys

from celery import Celery
from celery.result import AsyncResult


def app_for(url):
    app = Celery('result_peer', broker='memory://', backend=url)
    app.conf.result_backend = url
    return app


def same(expected, actual):
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, dict):
        return expected.keys() == actual.keys() and all(same(expected[k], actual[k]) for k in expected)
    if isinstance(expected, (list, tuple)):
        return len(expected) == len(actual) and all(same(e, a) for e, a in zip(expected, actual))
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(actual)
    return expected == actual


def check(url, pairs):
    app = app_for(url)
    ok = True
    for task_id, literal in pairs:
        result = AsyncResult(task_id, app=app)
        line = {'task_id': task_id}
        if literal.startswith('!'):
            expected = eval(literal[1:], {'__builtins__': builtins})  # test-controlled input
            try:
                value = result.get(timeout=10, interval=0.1)
                line.update(ok=False, got=repr(value))
            except Exception as exc:  # noqa: BLE001 - the point is to see what was raised
                line.update(ok=type(exc).__name__ == type(expected).__name__ and exc.args == expected.args,
                            got=f'{type(exc).__module__}.{type(exc).__qualname__}{exc.args!r}',
                            traceback=result.traceback, state=result.state)
        else:
            expected = ast.literal_eval(literal)
            value = result.get(timeout=10, interval=0.1)
            line.update(ok=same(expected, value), got=repr(value), state=result.state)
        ok = ok and line['ok']
        print(json.dumps(line))
    return 0 if ok else 1


def write(url, task_id, kind, literal, traceback=None):
    backend = app_for(url).backend
    if kind == 'done':
        backend.mark_as_done(task_id, ast.literal_eval(literal))
    elif kind == 'failure':
        backend.mark_as_failure(task_id, eval(literal, {'__builtins__': builtins}), traceback=traceback)
    elif kind == 'started':
        backend.mark_as_started(task_id, **ast.literal_eval(literal))
    elif kind == 'retry':
        backend.mark_as_retry(task_id, eval(literal, {'__builtins__': builtins}), traceback=traceback)
    elif kind == 'revoked':
        backend.mark_as_revoked(task_id, reason=ast.literal_eval(literal))
    else:
        raise SystemExit(f'unknown kind {kind}')
    return 0


def create(url):
    backend = app_for(url).backend
    session = backend.ResultSession()
    session.close()
    return 0


def raw(url, task_id):
    backend = app_for(url).backend
    session = backend.ResultSession()
    try:
        from sqlalchemy import text
        row = session.execute(
            text('SELECT status, result, date_done, traceback FROM celery_taskmeta WHERE task_id = :id'),
            {'id': task_id}).fetchone()
    finally:
        session.close()
    if row is None:
        print(json.dumps(None))
    else:
        status, result, date_done, traceback = row
        print(json.dumps({'status': status, 'result': bytes(result).hex() if result is not None else None,
                          'date_done': str(date_done) if date_done is not None else None,
                          'traceback': traceback}))
    return 0


def main(argv):
    command, url = argv[1], argv[2]
    if command == 'check':
        rest = argv[3:]
        return check(url, list(zip(rest[0::2], rest[1::2])))
    if command == 'write':
        return write(url, *argv[3:])
    if command == 'create':
        return create(url)
    if command == 'raw':
        return raw(url, argv[3])
    raise SystemExit(f'unknown command {command}')


if __name__ == '__main__':
    sys.exit(main(sys.argv))
