"""The cluster engine: the stack definition rendered for Docker swarm and for Kubernetes.

    settings     the `[cluster]` section of the definition (image, replicas, resources...)
    plan         what both renderers share: the workloads, their settings, secrets and PKI
    swarm        a compose v3 file for `docker stack deploy`, and its secret files
    kubernetes   Namespace, ConfigMaps, Secrets, migration Job, Deployments, Services, PDBs
    output       the one YAML serializer, and writing a rendering to a directory
    engine       deploying to (and removing from) a swarm with the docker CLI

Renderers are plain functions returning data; only `output` and `engine` touch the world.
"""
