"""script_gen, hosted: Claude looks at the product photo, then writes the script.

Step one (only when the job has a photo) sends the image as a base64 image content block and
forces the `record_product_analysis` tool, so the analysis comes back as JSON. Step two forces
the `write_ad_script` tool, whose schema is derived from `AdScript`; its input goes through
`validate_script`, the gate the offline writer passes too. An invalid script gets one repair
turn (the validation error goes back as the tool result, `is_error: true`); a second invalid
script is a `ProviderError` naming the problems.

Retries are the SDK's (`max_retries` = PROVIDER_MAX_RETRIES): exponential backoff with jitter on
429, 408/409, 5xx and 529 overloaded, on timeouts and dropped connections, honouring
`retry-after`; never on other 4xx. Every call's usage is recorded and priced.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import anthropic
import httpx
from anthropic.types import Message, ToolUseBlock

from domain.outputs import Completed, ScriptOutput
from domain.pricing import Prices
from domain.providers import ClaudeConfig, RetryPolicy
from domain.script import AdScript
from pipeline.providers.errors import (
    ProviderError,
    TransientProviderError,
    is_transient_status,
    redact,
)
from pipeline.providers.images import encode_image
from pipeline.providers.usage import Call, Ledger
from pipeline.script.claude_prompts import (
    ANALYSIS_SCHEMA,
    ANALYSIS_TOOL,
    SCRIPT_TOOL,
    SYSTEM,
    analysis_prompt,
    repair_prompt,
    script_prompt,
    script_schema,
)
from pipeline.script.model import ScriptError, validate_script
from pipeline.spec import JobSpec, ProgressFn, StageResult

PROVIDER = "claude"
REPAIR_ATTEMPTS = 1


def _tool_use(message: Message, name: str) -> ToolUseBlock | None:
    for block in message.content:
        if isinstance(block, ToolUseBlock) and block.name == name:
            return block
    return None


def _as_params(message: Message) -> list[dict[str, Any]]:
    """The assistant turn as request content blocks, for the repair conversation."""
    blocks: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            blocks.append({"type": "text", "text": block.text})
        elif isinstance(block, ToolUseBlock):
            blocks.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
            )
    return blocks


class ClaudeScriptWriter:
    """A StageFn for script_gen. One instance (one HTTP connection pool) per worker process."""

    def __init__(
        self,
        config: ClaudeConfig,
        retries: RetryPolicy,
        prices: Prices,
        secrets: Sequence[str],
    ) -> None:
        self.config = config
        self.retries = retries
        self.prices = prices
        self.secrets = tuple(secrets)
        self.client = anthropic.AsyncAnthropic(
            api_key=config.api_key.get_secret_value(),
            base_url=config.base_url,
            max_retries=retries.max_retries,
            timeout=httpx.Timeout(
                config.timeout_seconds, connect=min(10.0, config.timeout_seconds)
            ),
        )

    @property
    def name(self) -> str:
        return f"{PROVIDER} ({self.config.model})"

    async def aclose(self) -> None:
        await self.client.close()

    async def __call__(
        self, spec: JobSpec, completed: Completed, progress: ProgressFn
    ) -> StageResult:
        ledger = Ledger(PROVIDER, self.config.model)
        await progress(0)
        try:
            analysis: dict[str, Any] | None = None
            if spec.product_image is not None:
                analysis = await self._analyse(spec, ledger)
                await progress(40)
            script = await self._write(spec, analysis, ledger)
        except ProviderError as exc:
            exc.calls = [*ledger.calls, *exc.calls]
            raise
        await progress(100)
        output = ScriptOutput(script=script, analysis=analysis, hosted=ledger.usage())
        return StageResult(output=output, provider=self.name, cost_usd=float(ledger.cost))

    async def _create(self, ledger: Ledger, kind: str, **request: Any) -> Message:
        attempts = self.retries.max_retries + 1
        try:
            message: Message = await self.client.messages.create(
                model=self.config.model, max_tokens=self.config.max_tokens, system=SYSTEM, **request
            )
        except anthropic.APITimeoutError as exc:
            raise TransientProviderError(
                f"Claude did not answer the {kind} request within "
                f"{self.config.timeout_seconds:g} s ({attempts} attempts)"
            ) from exc
        except anthropic.APIConnectionError as exc:
            raise TransientProviderError(
                f"Claude could not be reached for the {kind} request ({attempts} attempts): "
                + redact(str(exc), self.secrets)
            ) from exc
        except anthropic.APIStatusError as exc:
            raise self._status_error(exc, kind, attempts) from exc
        usage = message.usage
        ledger.add(
            Call(
                kind,
                {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens},
                self.prices.claude(usage.input_tokens, usage.output_tokens),
            )
        )
        return message

    def _status_error(
        self, exc: anthropic.APIStatusError, kind: str, attempts: int
    ) -> ProviderError:
        body = exc.body if isinstance(exc.body, dict) else {}
        error = body.get("error")
        if not isinstance(error, dict):
            error = {}
        kind_of = str(error.get("type") or "error")
        detail = redact(str(error.get("message") or exc.message), self.secrets)
        status = exc.status_code
        if is_transient_status(status):
            return TransientProviderError(
                f"Claude {kind} request failed with {status} {kind_of} after {attempts} "
                f"attempts: {detail}"
            )
        return ProviderError(f"Claude rejected the {kind} request: {status} {kind_of}: {detail}")

    async def _analyse(self, spec: JobSpec, ledger: Ledger) -> dict[str, Any]:
        assert spec.product_image is not None
        image = await asyncio.to_thread(encode_image, spec.product_image)
        content: list[dict[str, Any]] = [
            {
                "type": "image",
                "source": {"type": "base64", "media_type": image.media_type, "data": image.base64},
            },
            {"type": "text", "text": analysis_prompt(spec.product_name)},
        ]
        message = await self._create(
            ledger,
            "vision",
            messages=[{"role": "user", "content": content}],
            tools=[
                {
                    "name": ANALYSIS_TOOL,
                    "description": "Record what the product photo shows.",
                    "input_schema": ANALYSIS_SCHEMA,
                }
            ],
            tool_choice={"type": "tool", "name": ANALYSIS_TOOL},
        )
        block = _tool_use(message, ANALYSIS_TOOL)
        if block is None or not isinstance(block.input, dict):
            raise ProviderError(
                f"Claude's product analysis came without a {ANALYSIS_TOOL} call "
                f"(stop_reason {message.stop_reason})"
            )
        return dict(block.input)

    async def _write(
        self, spec: JobSpec, analysis: dict[str, Any] | None, ledger: Ledger
    ) -> AdScript:
        prompt = script_prompt(
            spec.product_name,
            spec.style,
            spec.cta_text,
            spec.total_seconds,
            analysis,
            spec.description,
            spec.benefits,
            spec.language,
        )
        messages: list[dict[str, Any]] = [{"role": "user", "content": prompt}]
        tool = {
            "name": SCRIPT_TOOL,
            "description": "Submit the ad script. Every rule in the prompt must hold.",
            "input_schema": script_schema(),
        }
        problem = ""
        for attempt in range(REPAIR_ATTEMPTS + 1):
            kind = "script" if attempt == 0 else "script repair"
            message = await self._create(
                ledger,
                kind,
                messages=messages,
                tools=[tool],
                tool_choice={"type": "tool", "name": SCRIPT_TOOL},
            )
            block = _tool_use(message, SCRIPT_TOOL)
            reply: dict[str, Any]
            if block is None:
                problem = f"no {SCRIPT_TOOL} call (stop_reason {message.stop_reason})"
                reply = {"type": "text", "text": repair_prompt(problem)}
            else:
                try:
                    data = block.input if isinstance(block.input, dict) else {}
                    return validate_script(data, spec.style, spec.total_seconds)
                except ScriptError as exc:
                    problem = str(exc)
                reply = {
                    "type": "tool_result",
                    "tool_use_id": block.id,
                    "is_error": True,
                    "content": repair_prompt(problem),
                }
            messages.append({"role": "assistant", "content": _as_params(message)})
            messages.append({"role": "user", "content": [reply]})
        raise ProviderError(
            f"Claude's script was still invalid after {REPAIR_ATTEMPTS} repair attempt: {problem}"
        )
