#!/usr/bin/env python3
"""Runs a command and prints its wall time, CPU time (user+sys, children included)
and peak RSS, as `wall_s cpu_s maxrss_mib`. Used by benches/batch.sh."""
import resource
import subprocess
import sys
import time

start = time.monotonic()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.monotonic() - start
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{wall:.3f} {r.ru_utime + r.ru_stime:.3f} {r.ru_maxrss / 1024:.1f}")
sys.exit(rc)
