"""A module of the test pack that cannot be imported (its dependency is missing)."""

import nodeflow_missing_dependency  # noqa: F401

from nodetool.workflows.base_node import BaseNode


class NeedsMissing(BaseNode):
    """Never loads."""

    async def process(self, context) -> int:
        return 0
