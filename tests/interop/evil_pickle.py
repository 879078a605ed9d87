"""Writes to stdout a pickle whose unpickling runs `touch PATH` (os.system): proof that a
consumer deserialized it. Used by the hostile-input tests: the worker must never create PATH.
Usage: /usr/bin/python3 evil_pickle.py PATH [--prove]   (--prove: unpickle it here, to show it works)"""
import os
import pickle
import sys


class Touch:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, ('touch ' + self.path,))


payload = pickle.dumps(Touch(sys.argv[1]), protocol=2)
if '--prove' in sys.argv[2:]:
    pickle.loads(payload)
else:
    sys.stdout.buffer.write(payload)
