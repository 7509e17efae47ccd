"""`GET /d2l-kernel-pool`: what the server's pool of `rust` kernels holds, as JSON (for a
teacher's check, the tests and the benchmark): for each kernelspec launcher, the spare kernels
ready (pid, folder, seconds their warm-up took), the one being warmed, failures in a row."""

from __future__ import annotations

import json

from jupyter_server.base.handlers import APIHandler
from tornado import web

from .pool import KernelPool


class PoolStatusHandler(APIHandler):
    @web.authenticated
    def get(self):
        with KernelPool._instances_lock:
            pools = dict(KernelPool._instances)
        self.finish(json.dumps({" ".join(argv): pool.status() for argv, pool in pools.items()}))
