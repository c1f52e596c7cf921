"""The MinIO user an example app gives its products (MinioBuckets `users`, an S3Connection on
`endpointFor(user)`), for the e2e sessions of the apps that have one: who holds which key, and what
the user may do, tried against the real MinIO with `mc` as that user (test/e2e/programs.py
`bucket_access`, which the seed demo's session uses too, in test/e2e/test_no_one_let_in.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from harness import World
from operators import hive_site, s3_credentials_secret, secret_data, trino_catalog


def products_s3_user(world: World) -> tuple[str, tuple[str, str]]:
    """The Secret the products get through the S3Connection's credentials SecretClass (as
    operators.py resolves it for the metastore and Trino) and its (access key, secret key);
    asserts that it is not MinIO's root user (the MinIO Deployment's, state minio_endpoint)."""
    connection = world.one("S3Connection")
    secret = s3_credentials_secret(world.objects, connection)
    data = secret_data(world.objects, secret["metadata"]["name"], secret["metadata"]["namespace"])
    root = urlsplit(world.state["minio_endpoint"])
    assert data["accessKey"] != root.username and data["secretKey"] != root.password, \
        f"the products get MinIO's root user from Secret {secret['metadata']['name']}"
    return secret["metadata"]["name"], (data["accessKey"], data["secretKey"])


def products_access_keys(world: World) -> dict[str, str]:
    """The S3 access key in each product's configuration as the operators write it (operators.py,
    which hops 3 and 4 start the metastore and Trino with): per HiveCluster its hive-site's
    `fs.s3a.access.key`, per TrinoCatalog with S3 its `s3.aws-access-key`."""
    keys = {}
    for hive in world.of_kind("HiveCluster"):
        connection = world.one("S3Connection", name=hive["spec"]["clusterConfig"]["s3"]["reference"])
        keys[f"HiveCluster {hive['metadata']['name']}"] = hive_site(hive, world.objects, connection, "/unused")["fs.s3a.access.key"]
    for catalog in world.of_kind("TrinoCatalog"):
        properties = trino_catalog(world.objects, catalog)
        if "s3.aws-access-key" in properties:
            keys[f"TrinoCatalog {catalog['metadata']['name']}"] = properties["s3.aws-access-key"]
    return keys
