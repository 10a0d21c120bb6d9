"""The `[cluster]` section of the stack definition: how dytt's processes run in a cluster.

Infrastructure (MariaDB, etcd, MinIO, Zipkin) is not here: a cluster reaches it at the host and
ports of its components in the definition, e.g. `DYTT_MYSQL__HOST=db.internal`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resources(_Strict):
    """CPU and memory in Kubernetes quantities ("250m", "512Mi"); swarm gets them converted."""

    cpu: str
    memory: str


class Workload(_Strict):
    """Overrides for one component; unset fields take the cluster's defaults."""

    replicas: int | None = Field(default=None, ge=1)
    requests: Resources | None = None
    limits: Resources | None = None


class ClusterSettings(_Strict):
    """How dytt's services and gateway run in a swarm or a Kubernetes cluster."""

    # the app image (every service and the gateway; the command picks which)
    image: str = "dytt/app:latest"
    # the image's interpreter, with dytt installed
    python: str = "python"
    # the image's user (its Dockerfile's USER): pods run as it, secret files belong to it
    user_id: int = Field(default=10001, gt=0)
    # Kubernetes namespace, and swarm stack name
    namespace: str = "dytt"
    replicas: int = Field(default=2, ge=1)
    # a service's plaintext health-only port (pods and tasks have an address each: no clash)
    health_port: int = Field(default=9090, gt=0, lt=65536)
    # seconds a stopping pod or task keeps serving before SIGTERM, while load balancers (a
    # Service's endpoints, swarm's routing mesh) stop sending new connections; at least the
    # services' deregister linger (1 s) so clients' registry watches have caught up as well
    prestop_seconds: int = Field(default=5, ge=1)
    requests: Resources = Resources(cpu="50m", memory="192Mi")
    limits: Resources = Resources(cpu="1", memory="512Mi")
    # per component, e.g. publish = { limits = { cpu = "1", memory = "1Gi" } }
    workloads: dict[str, Workload] = {
        "publish": Workload(limits=Resources(cpu="1", memory="1Gi")),
    }
    # the swarm's overlay network: its tasks advertise their address in it
    swarm_subnet: str = "10.231.0.0/22"
    # how clients reach the swarm's gateways. "ingress": the routing mesh publishes the port on
    # every node and balances (it needs IPVS in the nodes' kernels). "host-network": for
    # engines without IPVS, the gateway tasks run in the node's network and share its port
    # (SO_REUSEPORT: the kernel balances, a new task binds beside the old one), and reach the
    # services at their address on `swarm_advertise` (a network the node is on: docker_gwbridge)
    swarm_publish: Literal["ingress", "host-network"] = "ingress"
    # the network (CIDR) whose address a task registers; unset: `swarm_subnet`
    swarm_advertise: str | None = None
    # the port the gateway is published on (swarm's routing mesh; a Kubernetes Service's port)
    gateway_port: int | None = Field(default=None, gt=0, lt=65536)
