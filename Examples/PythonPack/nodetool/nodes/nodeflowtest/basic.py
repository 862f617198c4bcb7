"""Nodeflow's test pack: small nodes that exercise nodetool's worker protocol."""

import asyncio
import hashlib
import time
from typing import AsyncGenerator, TypedDict

from pydantic import Field

from nodetool.metadata.types import ImageRef
from nodetool.workflows.base_node import BaseNode
from nodetool.workflows.processing_context import ProcessingContext
from nodetool.workflows.types import NodeProgress


class Add(BaseNode):
    """Adds two integers."""

    a: int = Field(default=0, description="The first number.")
    b: int = Field(default=0, description="The second number.")

    async def process(self, context: ProcessingContext) -> int:
        return self.a + self.b


class Split(BaseNode):
    """Splits a text at its first space into named outputs."""

    text: str = Field(default="", description="The text.")

    class OutputType(TypedDict):
        first: str
        rest: str

    async def process(self, context: ProcessingContext) -> OutputType:
        first, _, rest = self.text.partition(" ")
        return {"first": first, "rest": rest}


class Slow(BaseNode):
    """Sleeps in steps, reporting progress, and stops when cancelled."""

    steps: int = Field(default=5, description="How many steps.")
    seconds: float = Field(default=0.1, description="The length of each step.")

    async def process(self, context: ProcessingContext) -> int:
        for step in range(self.steps):
            if getattr(context, "is_cancelled", False):
                raise RuntimeError("Node execution was cancelled")
            await asyncio.sleep(self.seconds)
            context.post_message(NodeProgress(node_id=self.id, progress=step + 1, total=self.steps))
        return self.steps


class Block(BaseNode):
    """Blocks the worker's event loop (time.sleep), ignoring cancellation."""

    seconds: float = Field(default=1.0, description="How long to block.")

    async def process(self, context: ProcessingContext) -> float:
        time.sleep(self.seconds)
        return self.seconds


class Busy(BaseNode):
    """Burns CPU for a while (a CPU-bound node)."""

    milliseconds: int = Field(default=100, description="How long to compute.")

    async def process(self, context: ProcessingContext) -> int:
        end = time.perf_counter() + self.milliseconds / 1000
        count = 0
        while time.perf_counter() < end:
            count += 1
        return count


class Fail(BaseNode):
    """Raises an error with the given message."""

    message: str = Field(default="boom", description="The error message.")

    async def process(self, context: ProcessingContext) -> str:
        raise ValueError(self.message)


class Count(BaseNode):
    """Streams the numbers 0 ..< n."""

    n: int = Field(default=3, description="How many numbers.")

    @classmethod
    def is_streaming_output(cls) -> bool:
        return True

    class OutputType(TypedDict):
        output: int

    async def gen_process(self, context: ProcessingContext) -> AsyncGenerator[OutputType, None]:
        for i in range(self.n):
            yield {"output": i}


class MakeImage(BaseNode):
    """Makes an image reference holding `size` bytes (a repeating pattern)."""

    size: int = Field(default=16, description="How many bytes.")

    async def process(self, context: ProcessingContext) -> ImageRef:
        data = bytes((i * 7) % 251 for i in range(self.size))
        return await context.image_from_bytes(data)


class Digest(BaseNode):
    """The size and SHA-256 of an image's bytes."""

    image: ImageRef = Field(default=ImageRef(), description="The image.")

    async def process(self, context: ProcessingContext) -> str:
        io = await context.asset_to_io(self.image)
        data = io.read()
        return f"{len(data)}:{hashlib.sha256(data).hexdigest()}"


class Secret(BaseNode):
    """The length of a secret, read from the context."""

    key: str = Field(default="NODEFLOW_TEST_SECRET", description="The secret's name.")

    async def process(self, context: ProcessingContext) -> int:
        value = await context.get_secret(self.key)
        return len(value or "")


class Crash(BaseNode):
    """Kills its own worker process (SIGKILL) after a short while, as a crashing extension would."""

    delay: float = Field(default=0.2, description="Seconds before the crash.")

    async def process(self, context: ProcessingContext) -> int:
        import os
        import signal

        await asyncio.sleep(self.delay)
        os.kill(os.getpid(), signal.SIGKILL)
        return 0
