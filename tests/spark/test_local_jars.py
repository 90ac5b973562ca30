"""dp_foundation.spark.local_jars: the Iceberg runtime jar and the relocated Jackson jar."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from dp_foundation.exceptions import RuntimeSetupError
from dp_foundation.spark import local_jars

RELOCATED = "org/apache/iceberg/shaded/com/fasterxml/jackson/"


def test_iceberg_runtime_jar_matches_spark_and_scala() -> None:
    jar = local_jars.iceberg_runtime_jar()
    assert jar.is_file()
    assert jar.name.startswith("iceberg-spark-runtime-3.5_2.12-1.10.")


def test_builds_the_relocated_jackson_jar(tmp_path: Path) -> None:
    os.environ["DP_JARS_DIR"] = str(tmp_path / "jars")

    assert not local_jars.shaded_jackson_jar(build=False).exists()
    jars = local_jars.local_jars()

    shaded = jars[1]
    assert jars[0] == local_jars.iceberg_runtime_jar()
    assert shaded.parent == tmp_path / "jars"
    assert shaded.name.startswith("iceberg-shaded-jackson-2.")
    with zipfile.ZipFile(shaded) as jar:
        names = jar.namelist()
    classes = [n for n in names if n.endswith(".class")]
    assert f"{RELOCATED}core/JsonFactoryBuilder.class" in names  # what Iceberg failed to find
    assert f"{RELOCATED}databind/ObjectMapper.class" in names
    assert f"{RELOCATED}datatype/jsr310/JavaTimeModule.class" in names
    assert all(n.startswith(RELOCATED) for n in classes), "some classes were not relocated"
    assert not any(n.startswith("META-INF/versions/") or "module-info" in n for n in names)
    # Nothing left in the merge or rename folders.
    assert sorted(p.name for p in shaded.parent.iterdir()) == [shaded.name]

    # Built once, then reused as is.
    mtime = shaded.stat().st_mtime_ns
    assert local_jars.local_jars()[1] == shaded
    assert shaded.stat().st_mtime_ns == mtime


def test_main_prints_the_jars(capsys: pytest.CaptureFixture[str]) -> None:
    assert local_jars.main() == 0  # the default cache: built already by setup or the session
    printed = capsys.readouterr().out.split()
    assert [Path(p) for p in printed] == local_jars.local_jars()


def test_missing_jarjar_is_a_setup_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.environ["DP_JARS_DIR"] = str(tmp_path)
    os.environ["DP_JARJAR"] = str(tmp_path / "missing.jar")
    monkeypatch.setattr(local_jars, "JARJAR_CANDIDATES", ())
    with pytest.raises(RuntimeSetupError, match="jarjar is missing"):
        local_jars.local_jars()
    assert local_jars.main() == 1


def test_find_java_prefers_java_home(tmp_path: Path) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("")
    os.environ["JAVA_HOME"] = str(tmp_path)
    assert local_jars.find_java() == str(java)
