"""The one codegen entry point: `python -m protos.codegen [--check]`.

Generates `protos/<name>_pb2.py`, `_pb2.pyi` and `_pb2_grpc.py` from every `protos/*.proto`,
compiled with `-I <repo root>` so the modules import each other as `from protos import x_pb2`.
`--check` generates into a temporary dir and exits 1 listing the committed files that differ,
are missing, or have no .proto any more: generated code is never edited by hand.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

PROTOS = Path(__file__).resolve().parent
ROOT = PROTOS.parent
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


class CodegenError(Exception):
    """protoc rejected the .proto files (its own diagnostics are on stderr)."""


def generate(out: Path) -> list[Path]:
    """Generate code for every .proto into `out`/protos; the files written, sorted."""
    sources = sorted(PROTOS.glob("*.proto"))
    # the well-known types (google/protobuf/*.proto) ship inside grpc_tools
    well_known = resources.files("grpc_tools") / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{ROOT}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        # relative names keep absolute paths of this checkout out of the generated code
        *(source.relative_to(ROOT).as_posix() for source in sources),
    ]
    if protoc.main(args) != 0:
        raise CodegenError(f"protoc failed on {', '.join(s.name for s in sources)}")
    return sorted(out / "protos" / f"{s.stem}{suffix}" for s in sources for suffix in SUFFIXES)


def _generated_names(directory: Path) -> set[str]:
    return {p.name for suffix in SUFFIXES for p in directory.glob(f"*{suffix}")}


def check(committed: Path = PROTOS) -> list[str]:
    """Names of generated files in `committed` that differ from, lack or outlive their .proto."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = {path.name: path for path in generate(Path(tmp))}
        stale = {
            name
            for name, path in fresh.items()
            if not (committed / name).is_file()
            or not filecmp.cmp(path, committed / name, shallow=False)
        }
    orphans = _generated_names(committed) - fresh.keys()
    return sorted(stale | orphans)


def write(target: Path = PROTOS) -> list[str]:
    """Regenerate the code into `target`, removing files of deleted .protos; the names written."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        for path in fresh:
            shutil.copyfile(path, target / path.name)
    names = {path.name for path in fresh}
    for orphan in _generated_names(target) - names:
        (target / orphan).unlink()
    return sorted(names)


def main(argv: Sequence[str] | None = None) -> int:
    """Generate, or with --check verify, the protobuf code; the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m protos.codegen", description=__doc__)
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = check()
            if stale:
                print(
                    f"generated code differs from the .proto files: {', '.join(stale)}; "
                    "run `python -m protos.codegen`",
                    file=sys.stderr,
                )
                return 1
            print("generated code is up to date")
            return 0
        for name in write():
            print(f"wrote protos/{name}")
    except CodegenError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
