"""`PooledProvisioner`: the `rust` kernelspec's provisioner (metadata.kernel_provisioner).

jupyter_client asks a kernel's provisioner to start it, at a notebook's open and at each restart,
in JupyterLab, Jupyter Notebook, nbclient and nbval alike. This one takes a warm spare from the
process's pool (`pool.KernelPool`) when one is ready for the notebook's folder, and otherwise
starts a kernel exactly as jupyter_client's own LocalProvisioner does: an empty pool is only
slower, never an error. Either way the pool then warms the next spare.

A spare already listens on its own ports with the pool's key; the kernel manager takes both over
before it writes the notebook's connection file, so everything that connects afterwards (the
server's websockets, `jupyter console --existing`) finds the kernel where the file says.
"""

from __future__ import annotations

import os
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning.local_provisioner import LocalProvisioner
from jupyter_client.provisioning.provisioner_base import KernelProvisionerBase
from traitlets import Integer

from .pool import DEFAULT_SIZE, PORTS, KernelPool, Spare, ipc_ip, pool_size, transport


class PooledProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Starts `rust` kernels from a pool of warm ones."""

    pool_size = Integer(
        DEFAULT_SIZE,
        config=True,
        help="Warm spare kernels to keep (the D2L_KERNEL_POOL_SIZE environment variable wins).",
    )

    _spare: Spare | None = None
    _pooled: bool = False
    _started: bool = False

    def _pool(self) -> KernelPool:
        return KernelPool.get(self.kernel_spec.argv, pool_size(self.pool_size))

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        cwd = kwargs.get("cwd") or os.getcwd()
        pool = self._pool()
        spare = pool.claim(cwd) if km is not None and pool.size > 0 else None
        if km is not None and (spare is not None or self._pooled):
            # The ports change (to the spare's, or back to fresh ones): a connection file left
            # from the previous kernel must not survive a restart.
            km.cleanup_connection_file()
        if spare is None:
            self._pooled = False
            if km is not None and transport() == "ipc" and not self._started:
                # No ports to pick, so none that another server's kernel could take first. Only
                # at a kernel's first start: a restart keeps the endpoints the server's
                # connection to it was made for. (Spares stay on tcp: a restart onto a spare at
                # another ipc path was not reached by the server's restored connection.)
                km.transport, km.ip, km.cache_ports = "ipc", ipc_ip(), False
            return await super().pre_launch(**kwargs)

        info = spare.connection_info
        km.transport = info["transport"]
        km.ip = info["ip"]
        for port in PORTS:
            setattr(km, port, info[port])
        km.session.key = info["key"].encode()
        km.session.signature_scheme = info["signature_scheme"]
        if "env" in kwargs:
            km.write_connection_file(jupyter_session=kwargs["env"].get("JPY_SESSION_NAME", ""))
        else:
            km.write_connection_file()
        self.connection_info = km.get_connection_info()
        # Ports that LocalPortCache did not hand out are not returned to it.
        self.ports_cached = False
        self._spare = spare
        self._pooled = True
        kwargs.pop("extra_arguments", None)
        return await KernelProvisionerBase.pre_launch(self, cmd=list(spare.process.args), **kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        self._started = True
        spare, self._spare = self._spare, None
        if spare is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = spare.process
        self.pid = spare.process.pid
        self.pgid = os.getpgid(self.pid)
        self.cwd = spare.cwd
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if self._spare is not None:  # claimed, then the launch did not happen
            self._spare.kill()
            self._spare = None
