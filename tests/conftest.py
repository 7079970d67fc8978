import os
import sys

TESTS = os.path.dirname(__file__)
sys.path.insert(0, TESTS)
