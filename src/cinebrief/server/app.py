"""The FastAPI app factory: settings and (optionally) an engine in, an app out; no module-level state.

app = create_app(load_settings())           # the app owns its engine: started and stopped with it
app = create_app(settings, engine=engine)   # share an engine that the caller starts and stops
app = create_app(settings, engine=engine, close_engine=True)  # started by the caller, closed at shutdown
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from cinebrief import __version__
from cinebrief.jobs.engine import Engine
from cinebrief.server.errors import install_error_handlers
from cinebrief.server.middleware import RequestContextMiddleware
from cinebrief.server.openapi import install_openapi
from cinebrief.server.routes import characters, edits, events, lint, models, studio_briefs, studio_runs, videos
from cinebrief.server.studio import attach_studio
from cinebrief.server.studio import router as studio_router
from cinebrief.server.webhooks import WebhookSender
from cinebrief.settings import Settings


def create_app(settings: Settings, *, engine: Engine | None = None, close_engine: bool = False) -> FastAPI:
    owns_engine = engine is None
    close_engine = close_engine or owns_engine
    engine = engine or Engine(settings, start=False)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owns_engine:
            engine.start()  # closes itself if it cannot start
        app.state.studio.resume()  # every owner's runs left running by a stop or a crash go on
        outbox = engine.store.outbox
        sender = WebhookSender(settings.webhooks, engine.events, outbox) if outbox is not None else None
        try:
            yield
        finally:
            if sender is not None:
                sender.close()
            app.state.studio.close()
            if close_engine:  # before the server exits: running jobs go back to the queue
                engine.close()

    app = FastAPI(
        title="cinebrief",
        version=__version__,
        summary="A self-hosted, Sora 2 compatible /v1/videos server.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: nothing the server sends reaches the network
        redoc_url=None,
    )
    install_openapi(app)
    app.state.settings = settings
    app.state.engine = engine
    install_error_handlers(app)
    app.include_router(characters.router)  # before videos: /v1/videos/characters/... is not a video id
    app.include_router(edits.router)
    app.include_router(videos.router)
    app.include_router(events.router)
    app.include_router(models.router)
    app.include_router(lint.router)
    app.include_router(studio_router)
    attach_studio(app, settings, engine)
    app.include_router(studio_briefs.router)
    app.include_router(studio_runs.router)
    app.add_middleware(RequestContextMiddleware, max_request_bytes=settings.server.max_request_bytes)
    return app
