"""The batch flow as a deployment on a Prefect work pool: any machine where shenhe is installed and a
`prefect worker start --pool POOL` runs can take a batch's run (see README, 多台机器)."""

from __future__ import annotations

from dataclasses import dataclass

from prefect import deploy
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect.types.entrypoint import EntrypointType
from prefect.workers.process import ProcessWorker

from flows.batch import pool_batch

__all__ = ["DEPLOYMENT_NAME", "Deployed", "deploy_batch_flow"]

DEPLOYMENT_NAME = "shenhe"
# Workers import the flow from the installed package (no image, no code storage to fetch from): the
# flow object's name in its module, not its function's.
ENTRYPOINT = "flows.batch.pool_batch"


@dataclass
class Deployed:
    """What `deploy_batch_flow` did: the deployment's full name and id, and whether the pool is new."""

    full_name: str
    deployment_id: str
    pool_created: bool


def ensure_process_pool(pool: str) -> bool:
    """A work pool of type `process` named `pool`, created with Prefect's default job template if
    missing; whether it was created."""
    template = ProcessWorker.get_default_base_job_template()
    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=pool, type="process", base_job_template=template))
        except ObjectAlreadyExists:
            return False
    return True


def deploy_batch_flow(pool: str, name: str = DEPLOYMENT_NAME) -> Deployed:
    """The batch flow deployed to `pool` as `shenhe-pool-batch/{name}`, its parameters given per run."""
    created = ensure_process_pool(pool)
    deployment = pool_batch.to_deployment(name=name, entrypoint_type=EntrypointType.MODULE_PATH,
                                             description="读取一个申报批次并按规则集评估，结果写入 out/results.jsonl")
    deployment.entrypoint = ENTRYPOINT
    (deployment_id,) = deploy(deployment, work_pool_name=pool, build=False, push=False, print_next_steps_message=False)
    return Deployed(f"{pool_batch.name}/{name}", str(deployment_id), created)
