"""Answers topic-routing questions with kombu's own virtual exchange code.

Reads JSON from stdin: a list of [binding_key, routing_key] pairs. For each pair, binds a queue
with binding_key to a kombu virtual TopicExchange (kombu/transport/virtual/exchange.py, the code
kombu's memory and SQS transports route with) and looks routing_key up in that table. Writes JSON
to stdout: a list, one entry per pair, {"match": true|false} or {"error": "<Python error>"} when
kombu cannot compile the binding key's regular expression. Also reports kombu's version.

Run with Debian's /usr/bin/python3 (kombu 5.2.4).
"""
import json
import re
import sys

import kombu
from kombu.transport.virtual.exchange import TopicExchange


def answer(binding_key, routing_key):
    exchange = TopicExchange(channel=None)
    table = [exchange.prepare_bind('queue', 'exchange', binding_key, None)]
    try:
        queues = exchange.lookup(table, 'exchange', routing_key, None)
    except re.error as error:
        return {'error': str(error)}
    return {'match': 'queue' in queues}


def main():
    pairs = json.load(sys.stdin)
    answers = [answer(binding, routing) for binding, routing in pairs]
    json.dump({'kombu': kombu.__version__, 'answers': answers}, sys.stdout)


if __name__ == '__main__':
    main()
