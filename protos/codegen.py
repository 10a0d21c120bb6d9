"""The one codegen entry point: `python -m protos.codegen [--check]`.

Generates `protos/<name>_pb2.py`, `_pb2.pyi` and `_pb2_grpc.py` from every `protos/*.proto`.
`--check` generates into a temporary dir and fails if the committed files differ, which proves
nobody edited generated code by hand.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

PROTOS = Path(__file__).resolve().parent
ROOT = PROTOS.parent
SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(out: Path) -> list[Path]:
    """Generate code for every .proto into `out` (laid out like the repo); the files written."""
    sources = sorted(PROTOS.glob("*.proto"))
    include = str(resources.files("grpc_tools") / "_proto")
    args = [
        "protoc", f"-I{ROOT}", f"-I{include}", f"--python_out={out}", f"--pyi_out={out}",
        f"--grpc_python_out={out}", *(str(s.relative_to(ROOT)) for s in sources),
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    return [out / "protos" / f"{s.stem}{suffix}" for s in sources for suffix in SUFFIXES]


def check() -> list[str]:
    """Generated files that differ from (or are missing in) the repo."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        return [
            f.name for f in fresh
            if not (PROTOS / f.name).exists() or not filecmp.cmp(f, PROTOS / f.name, shallow=False)
        ]


def main() -> None:
    """Generate, or with --check verify, the protobuf code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify instead of writing")
    args = parser.parse_args()
    if args.check:
        stale = check()
        if stale:
            print(f"generated code differs: {', '.join(stale)}; run python -m protos.codegen",
                  file=sys.stderr)
            raise SystemExit(1)
        print("generated code is up to date")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for path in generate(Path(tmp)):
            shutil.copyfile(path, PROTOS / path.name)
            print(f"wrote protos/{path.name}")


if __name__ == "__main__":
    main()
