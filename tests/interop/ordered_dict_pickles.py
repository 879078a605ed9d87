"""Writes the fixture of tests/Cadasta.WorkerToolbox.Tests/Results/ResultPickleKeyOrderTests.cs: Python dicts
whose key order is neither sorted nor any hash order, pickled by this Python with every protocol (0-5).

Run with Debian's /usr/bin/python3 (3.11, as the Celery 5.2 peer):
  /usr/bin/python3 tests/interop/ordered_dict_pickles.py > tests/Cadasta.WorkerToolbox.Tests/Fixtures/python-pickles/ordered-dicts.json

Each case: "value" is the dict as JSON (json.dumps keeps insertion order; tuples become lists, a
SimpleNamespace becomes its __dict__ after "__class__", as our reader maps them), and "pickles" maps
each protocol to the hex of pickle.dumps(value, protocol) (every protocol, but 2 and 5 only for the big dict).
"""
import json
import pickle
import random
import sys
import types


def cases():
    order = {'zeta': 1, 'alpha': 2, 'mike': 3, 'bravo': 4, 'yankee': 5, 'charlie': 6, 'xray': 7, 'delta': 8, 'whiskey': 9, 'echo': 10}
    nested = {'status': 'done', 'links': [{'url': 'http://z/1', 'text': 'f.zip'}, {'text': 'g.zip', 'url': 'http://z/2'}],
              'meta': {'z': None, 'a': True, 'm': 2.5, 'b': [3, 1, 2]}, 'count': 2}
    shared = {'second': 2, 'first': 1, 'third': 3}
    # The same dict object twice: the second is a memo reference to the first.
    twice = {'y': shared, 'x': [shared, shared]}
    int_keys = {30: 'c', 1: 'a', 20: 'b', -5: 'n'}
    namespace = types.SimpleNamespace(zulu=1, alpha=2, kilo={'q': 1, 'b': 2})
    rng = random.Random(20261128)
    numbers = list(range(1050))
    rng.shuffle(numbers)
    # More than 1000 items: the pickler writes them in batches of 1000 (MARK ... SETITEMS, twice).
    big = {'k%d' % n: n for n in numbers}
    empty_and_tuple = {'t': ('b', {'y': 1, 'x': 2}), 'e': {}, 'a': []}
    every = range(0, pickle.HIGHEST_PROTOCOL + 1)
    return [
        ('flat', order, order, every),
        ('nested', nested, nested, every),
        ('shared', twice, twice, every),
        ('int-keys', int_keys, {str(k): v for k, v in int_keys.items()}, every),
        ('namespace', namespace, {'__class__': 'types.SimpleNamespace', 'zulu': 1, 'alpha': 2, 'kilo': {'q': 1, 'b': 2}}, every),
        # Celery's database backend pickles with the highest protocol; Razorvine's writer uses 2.
        ('big', big, big, (2, pickle.HIGHEST_PROTOCOL)),
        ('empty-and-tuple', empty_and_tuple, {'t': ['b', {'y': 1, 'x': 2}], 'e': {}, 'a': []}, every),
    ]


def main():
    out = []
    for name, value, expected, protocols in cases():
        out.append({
            'name': name,
            'value': expected,
            'pickles': {str(p): pickle.dumps(value, protocol=p).hex() for p in protocols},
        })
    json.dump({'python': sys.version.split()[0], 'cases': out}, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
