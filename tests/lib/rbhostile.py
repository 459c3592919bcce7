"""Helpers of the hostile-input tests: a process's memory from
/proc, idle connections by the thousand."""
import resource
import socket
import time


def proc_status(pid, key):
    """A /proc/PID/status figure in KiB ("VmRSS", "VmHWM"), or -1."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return -1


def raise_nofile(want=8192):
    """Raise this process's soft RLIMIT_NOFILE towards want (up to the hard
    limit): holding thousands of connections needs as many descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < min(hard, want):
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, want), hard))


def hold(ep, n):
    """n connections to ep ("HOST:PORT") that send nothing. Non-blocking:
    those the server's backlog cannot take yet finish connecting later."""
    host, port = ep.rsplit(":", 1)
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((host, int(port)))
        socks.append(s)
    time.sleep(0.5)
    return socks
