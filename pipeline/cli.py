"""Commands; the only place that parses argv and picks exit codes (outputs.md).

Exit codes: 0 done (even with rejected rows: they are in the report); 1 nothing usable or a fatal
error; 2 bad command line or settings; 3 `--strict` and a row was rejected or a sheet not recognised.
The analyst never sees a traceback; `--debug` shows one to a developer.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from pipeline.run import EXIT_FATAL, EXIT_USAGE, RunError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit code 2 is ours too, with a plain message
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show a traceback on failure")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="the monthly job: KPIs, pack, data-quality report")
    run.add_argument("--inputs", type=Path, required=True)
    run.add_argument("--period", required=True, help="YYYY-MM")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--strict", action="store_true", help="exit 3 if any row is rejected or a sheet not recognised")
    run.add_argument("--no-cache", action="store_true", help="ignore the cache of parsed registers")

    val = sub.add_parser("validate", help="only data_quality.xlsx and manifest.json")
    val.add_argument("--inputs", type=Path, required=True)
    val.add_argument("--out", type=Path, required=True)
    val.add_argument("--no-cache", action="store_true", help="ignore the cache of parsed registers")

    tpl = sub.add_parser("templates", help="blank input registers")
    tpl.add_argument("--out", type=Path, required=True)
    tpl.add_argument("--language", choices=("zh", "en"), default="zh")

    bench = sub.add_parser("bench", help="benchmarks (see BENCHMARKS.md)")
    bench.add_argument("--sizes", default="medium,large")
    for p in (run, val, tpl, bench):
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
        p.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    debug = getattr(args, "debug", False)
    quiet = getattr(args, "quiet", False)
    try:
        if args.command == "run":
            from pipeline.run import run

            return run(args.inputs, args.period, args.out, strict=args.strict, quiet=quiet,
                       no_cache=args.no_cache)
        if args.command == "validate":
            from pipeline.run import validate

            return validate(args.inputs, args.out, quiet=quiet, no_cache=args.no_cache)
        if args.command == "templates":
            from pipeline.templates import write_templates

            paths = write_templates(args.out, language=args.language)
            print(f"{len(paths)} templates in {args.out}", file=sys.stderr)
            return 0
        if args.command == "bench":
            from pipeline.bench import main as bench_main

            return bench_main(args.sizes.split(","))
    except RunError as exc:
        if debug:
            traceback.print_exc()
        print(str(exc), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("interrupted; the previous outputs are unchanged", file=sys.stderr)
        return EXIT_FATAL
    except Exception as exc:  # the analyst never sees a traceback
        if debug:
            traceback.print_exc()
        else:
            print(f"the run failed: {type(exc).__name__}: {exc} (add --debug for technical details)",
                  file=sys.stderr)
        return EXIT_FATAL
    return EXIT_USAGE
