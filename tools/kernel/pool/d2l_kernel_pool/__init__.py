"""Warm `rust` kernels for the d2l-rs notebooks.

- `pool.KernelPool`: spare kernels, started and warmed ahead of time by a thread of their own.
- `provisioner.PooledProvisioner`: the kernelspec's provisioner; hands a spare out when a notebook
  opens or restarts, and starts a kernel as usual when none is ready.
- this module, as a Jupyter server extension (`--ServerApp.jpserver_extensions`): warms the first
  spare for the server's root folder as the server starts, before any notebook is opened, and
  answers `GET /d2l-kernel-pool` with what the pool holds (`handlers.PoolStatusHandler`).

Settings: D2L_KERNEL_POOL_SIZE (spares kept, default 1, 0 turns the pool off).
"""

from __future__ import annotations

KERNEL_NAME = "rust"
PROVISIONER_NAME = "d2l-pool"


def prewarm(folder, kernel_name: str = KERNEL_NAME) -> bool:
    """Starts warming a spare for kernels that will run in `folder`, when the kernelspec
    `kernel_name` uses this pool. Returns whether it does."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    from .pool import KernelPool

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return False
    provisioner = spec.metadata.get("kernel_provisioner", {}).get("provisioner_name")
    if provisioner != PROVISIONER_NAME:
        return False
    pool = KernelPool.get(spec.argv)
    if pool.size <= 0:
        return False
    pool.want(folder)
    return True


def _jupyter_server_extension_points():
    return [{"module": "d2l_kernel_pool"}]


def _load_jupyter_server_extension(serverapp):
    from jupyter_server.utils import url_path_join

    from .handlers import PoolStatusHandler

    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(serverapp.web_app.settings["base_url"], "d2l-kernel-pool"),
         PoolStatusHandler),
    ])
    if prewarm(serverapp.root_dir):
        serverapp.log.info("d2l_kernel_pool: warming a Rust kernel for %s", serverapp.root_dir)
