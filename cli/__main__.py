"""`python -m cli`: create, follow and manage adreel jobs from a terminal.

    python -m cli create --name "Aurora Cold Brew" --style luxury --cta "Order yours today" \\
        --image front.png --image side.jpg --watch   # bars per stage, then downloads the MP4
    python -m cli create --product-url https://shop.example/products/aurora --cta "Shop now"
    python -m cli list --status completed      # also: watch, status, cancel, retry, styles

`create` takes up to 8 photos (--image, repeated, in the order the ad may show them) and a shop's
product page (--product-url: its name, description, photos and price fill in what the flags
leave out, so --name may then be left out). The page's flag is not --url: that one names the
server, before or after any command.

The server is --url or ADREEL_URL (default http://127.0.0.1:8000); the key is --api-key or
ADREEL_API_KEY. Exit status: 0 done, 1 failed (server unreachable, unknown job, job failed),
2 bad input (the field errors are printed), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from cli import commands
from cli.client import Client, GraphQLError
from cli.commands import EXIT_BAD_INPUT, MAX_PHOTOS, CliError, JobInput
from cli.render import absolute, jobs_table, show_job, styles_table

DEFAULT_URL = "http://127.0.0.1:8000"
STYLES = ("luxury", "energetic", "minimal", "bold")
ASPECTS = ("portrait", "square", "landscape")
STATUSES = ("pending", "processing", "completed", "failed", "cancelled")


def build_parser() -> argparse.ArgumentParser:
    # Connection options work before or after the command (`cli --url U list`, `cli list --url U`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS, help="server URL [env ADREEL_URL]")
    common.add_argument("--api-key", default=argparse.SUPPRESS, help="API key [env ADREEL_API_KEY]")
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
    )
    parser = argparse.ArgumentParser(
        prog="python -m cli",
        description="Make and manage adreel video ads over the GraphQL API.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    create = sub.add_parser("create", parents=[common], help="create a job")
    create.set_defaults(check=lambda args: _check_create(create, args))
    create.add_argument(
        "--name", help="product name (1-120 characters; optional with --product-url)"
    )
    create.add_argument("--style", type=str.lower, choices=STYLES, default="luxury")
    create.add_argument("--cta", required=True, help="call to action (1-60 characters)")
    create.add_argument("--aspect", type=str.lower, choices=ASPECTS, default="portrait")
    create.add_argument(
        "--image", type=Path, action="append", default=[], metavar="PHOTO",
        help=f"a product photo: PNG, JPEG or WebP (up to {MAX_PHOTOS}; repeat the flag, in order)",
    )  # fmt: skip
    create.add_argument(
        "--product-url", metavar="PAGE",
        help="the product's page in a shop: its name, description, photos and price fill in "
        "what the other flags leave out",
    )  # fmt: skip
    create.add_argument("--description", help="what the product is and does (up to 500 characters)")
    create.add_argument(
        "--benefit", action="append", default=[], help="a key benefit (up to 3; repeat the flag)"
    )
    create.add_argument(
        "--music", type=str.lower, choices=["auto", "none"], default="auto",
        help="auto: a bed matched to the style; none: no music",
    )  # fmt: skip
    create.add_argument("--music-track", type=Path, help="your own music: WAV, MP3, Ogg, FLAC, M4A")
    create.add_argument("--language", default="en", help="BCP 47 tag: en, es, fr, de, pt, ...")
    create.add_argument("--voice", help="a voice id (see the voices query), e.g. espeak:es-f")
    create.add_argument(
        "--brand-kit", help="a brand kit's id (createBrandKit): its colours, fonts and logo"
    )
    create.add_argument("--watch", action="store_true", help="follow it and download the MP4")
    _download_options(create)

    watch = sub.add_parser("watch", parents=[common], help="follow a job, download its MP4")
    watch.add_argument("job")
    _download_options(watch)

    status = sub.add_parser("status", parents=[common], help="show a job and its stages")
    status.add_argument("job")

    listing = sub.add_parser("list", parents=[common], help="your jobs, newest first")
    listing.add_argument("--status", type=str.lower, choices=STATUSES)
    listing.add_argument("--style", type=str.lower, choices=STYLES)
    listing.add_argument("--first", type=int, default=20, help="how many (1-100, default 20)")

    for name, text in (("cancel", "cancel a pending or running job"),
                       ("retry", "run a failed or cancelled job again")):  # fmt: skip
        action = sub.add_parser(name, parents=[common], help=text)
        action.add_argument("job")

    sub.add_parser("styles", parents=[common], help="the styles, with their descriptions")
    return parser


def _check_create(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """What argparse cannot say by itself; `parser.error` exits with status 2."""
    if args.name is None and args.product_url is None:
        parser.error("--name is required (or --product-url, to take the name from the page)")
    if len(args.image) > MAX_PHOTOS:
        parser.error(f"--image: at most {MAX_PHOTOS} photos (got {len(args.image)})")


def _download_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", type=Path, help="where to save the MP4 (default ./adreel-<id>.mp4)"
    )
    parser.add_argument("--no-download", action="store_true", help="do not download the MP4")


def _output(args: argparse.Namespace, job_id: str) -> Path | None:
    if args.no_download:
        return None
    output: Path = args.output or Path(f"adreel-{job_id[:8]}.mp4")
    if output.is_dir():
        output = output / f"adreel-{job_id[:8]}.mp4"
    return output


async def _watch(client: Client, args: argparse.Namespace, job_id: str, out: Console) -> None:
    result = await commands.watch_job(client, job_id, out, _output(args, job_id))
    url = absolute(client.base_url, result.video_url)
    if args.json:
        print(json.dumps({"id": job_id, "status": result.status, "videoUrl": url,
                          "path": str(result.path) if result.path else None}))  # fmt: skip
        return
    out.print(f"[green]done[/]: job {job_id} completed")
    if result.path:
        out.print(f"MP4:  {result.path.resolve()}", soft_wrap=True)
    out.print(f"URL:  {url}", soft_wrap=True)


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2))


async def run(args: argparse.Namespace, out: Console) -> int:
    async with Client(args.url, args.api_key) as client:
        if args.command == "create":
            spec = JobInput(
                args.name,
                args.style,
                args.cta,
                args.aspect,
                tuple(args.image),
                args.description,
                tuple(args.benefit),
                args.music,
                args.music_track,
                args.language,
                args.voice,
                args.product_url,
                args.brand_kit,
            )
            job_id = await commands.create_job(client, spec)
            if args.watch:
                if not args.json:
                    out.print(f"job {job_id} created; following it live")
                await _watch(client, args, job_id, out)
            elif args.json:
                _print_json({"id": job_id})
            else:
                out.print(f"job {job_id} created. Follow it with: python -m cli watch {job_id}")
        elif args.command == "watch":
            await _watch(client, args, commands.check_job_id(args.job), out)
        elif args.command == "status":
            job = await commands.get_job(client, args.job)
            _print_json(job) if args.json else show_job(out, job, client.base_url)
        elif args.command == "list":
            if not 1 <= args.first <= 100:
                raise CliError("--first must be between 1 and 100", EXIT_BAD_INPUT)
            jobs = await commands.list_jobs(client, args.first, args.status, args.style)
            _print_json(jobs) if args.json else out.print(jobs_table(jobs))
        elif args.command in ("cancel", "retry"):
            changed = await commands.change_job(client, args.command, args.job)
            if args.json:
                _print_json(changed)
            else:
                out.print(f"job {changed['id']} is now {changed['status'].lower()}")
        elif args.command == "styles":
            styles = await commands.styles(client)
            _print_json(styles) if args.json else out.print(styles_table(styles))
    return 0


# Wide enough for any table we print: when the output goes to a file or a pipe, rows are kept
# whole instead of being cut to the 80 columns rich assumes without a terminal.
UNBOUNDED_WIDTH = 1000


def console(*, stderr: bool) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else UNBOUNDED_WIDTH
    return Console(stderr=stderr, width=width)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if check := getattr(args, "check", None):
        check(args)
    args.url = getattr(args, "url", None) or os.environ.get("ADREEL_URL") or DEFAULT_URL
    args.api_key = getattr(args, "api_key", None) or os.environ.get("ADREEL_API_KEY") or None
    args.json = getattr(args, "json", False)
    out = console(stderr=args.json)  # with --json, stdout carries only the JSON
    errors = console(stderr=True)
    try:
        return asyncio.run(run(args, out))
    except CliError as exc:
        errors.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except GraphQLError as exc:
        errors.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return commands.EXIT_FAILED
    except KeyboardInterrupt:
        errors.print("interrupted (a job keeps running on the server)")
        return 130


if __name__ == "__main__":
    sys.exit(main())
