"""iamfs installed as a user gets it: the man page (rendered by man-db without a
warning, naming every option --help prints), `cmake --install` into a prefix, the
.deb built by CPack (its contents, its dependencies, iamfs run from the unpacked
package), and bash completion (options, -o items, profile names from the AWS
files, through Tab in a real interactive bash)."""
import glob
import os
import re
import subprocess

import ptyrun
import rig

MAN = os.path.join(rig.BUILD, "iamfs.1")
COMPLETION = os.path.join(rig.ROOT, "contrib", "iamfs.bash-completion")
# What cmake --install puts under the prefix (the .deb has the same under usr/).
INSTALLED = [
    "bin/iamfs",
    "bin/iamfs-snapshot",
    "lib/systemd/user/iamfs-snapshot@.service",
    "lib/systemd/user/iamfs-snapshot@.timer",
    "lib/systemd/user/iamfs@.service",
    "share/bash-completion/completions/iamfs",
    "share/bash-completion/completions/iamfs-snapshot",
    "share/doc/iamfs/LICENSE",
    "share/doc/iamfs/README.md",
    "share/doc/iamfs/fstab.example",
    "share/man/man1/iamfs.1",
]
DEB_DEPENDS = ["libfuse3-3", "fuse3", "libcurl4", "libcjson1", "libexpat1", "libssl3"]


def deb_depends():
    """DEB_DEPENDS as this system names them: a library's 64-bit-time_t rename
    (Ubuntu 24.04's libcurl4t64) where that one is installed."""
    out = []
    for pkg in DEB_DEPENDS:
        st = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg + "t64"],
                            capture_output=True, text=True, timeout=30).stdout
        out.append(pkg + "t64" if "ok installed" in st else pkg)
    return out


def run(argv, timeout=120, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)


def help_text():
    r = run([rig.IAMFS, "--help"])
    assert r.returncode == 0
    return r.stdout


def render(page, width="100"):
    """man-db's rendering of a page file, with warnings on: (text, stderr)."""
    env = dict(os.environ, MANWIDTH=width, MAN_KEEP_FORMATTING="", LC_ALL="C.UTF-8")
    env.pop("MANPAGER", None)
    env.pop("PAGER", None)
    r = run(["man", "--warnings=w", "-l", page], env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr


def version_line():
    r = run([rig.IAMFS, "--version"])
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_man_page_renders_without_warnings():
    for width in ("80", "200"):
        text, err = render(MAN, width)
        assert err == ""
        assert "iamfs - an AWS account's IAM roles as a folder of JSON files" in text
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "THE TREE", "SAVING",
                    "CREATING, ATTACHING AND DELETING", "THE CACHE", "CREDENTIALS", "FILES",
                    "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"):
        assert re.search(r"^%s$" % re.escape(section), text, re.M), section
    # The version comes from the build.
    assert version_line().split()[1] in text.splitlines()[-1]


def test_every_option_of_help_is_in_the_man_page():
    help_ = help_text()
    text, _ = render(MAN, "200")
    options = text[text.index("\nOPTIONS\n"):text.index("\nTHE TREE\n")]
    long_opts = set(re.findall(r"--[a-z][a-z-]+", help_))
    mount_opts = set(re.findall(r"\b([a-z]+(?:_[a-z]+)+|[a-z]+(?==))", help_))
    env_vars = set(re.findall(r"\$([A-Z][A-Z0-9_]+)", help_))
    assert {"--profile", "--ttl", "--read-only", "--help"} <= long_opts
    assert {"profile", "ttl", "cache_dir", "read_only", "allow_other"} <= mount_opts
    missing = [o for o in sorted(long_opts) if not re.search(r"^ +%s\b" % o, options, re.M)]
    missing += ["-" + c for c in "fdo" if not re.search(r"^ +-%s\b" % c, options, re.M)]
    # iamfs's own -o items are given as "-o NAME"; FUSE's example is named in the text.
    missing += ["-o " + o for o in sorted(mount_opts)
                if ("-o " + o) not in options and not (o == "allow_other" and o in options)]
    environment = text[text.index("\nENVIRONMENT\n"):text.index("\nEXIT STATUS\n")]
    missing += ["$" + v for v in sorted(env_vars) if v not in environment]
    assert not missing, "options of --help missing from the man page: %s" % missing


def test_cmake_install_into_a_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    r = run(["cmake", "--install", rig.BUILD, "--prefix", str(prefix)])
    assert r.returncode == 0, r.stderr
    found = sorted(os.path.relpath(os.path.join(d, f), prefix)
                   for d, _, files in os.walk(prefix) for f in files)
    assert found == INSTALLED
    r = run([str(prefix / "bin" / "iamfs"), "--version"])
    assert r.returncode == 0 and r.stdout == version_line()
    # The units name the installed programs.
    unit = (prefix / "lib/systemd/user/iamfs@.service").read_text()
    assert "\nExecStart=%s/bin/iamfs -f --profile %%i %%h/iam-%%i\n" % prefix in unit
    snap = (prefix / "lib/systemd/user/iamfs-snapshot@.service").read_text()
    assert "\nExecStart=%s/bin/iamfs-snapshot %%h/iam-%%i %%h/iam-history/%%i\n" % prefix in snap
    assert "\nOnCalendar=*:0/15\n" in (prefix / "lib/systemd/user/iamfs-snapshot@.timer").read_text()
    # "man iamfs" finds the page through the prefix's man folder.
    r = run(["man", "-M", str(prefix / "share" / "man"), "-w", "iamfs"])
    assert r.returncode == 0 and r.stdout.strip() == str(prefix / "share/man/man1/iamfs.1")
    assert os.access(prefix / "bin" / "iamfs-snapshot", os.X_OK)


def installed_or_provided(package):
    """True when package is installed here, or an installed package Provides it."""
    r = run(["dpkg-query", "-W", "-f", "${Status}", package])
    if r.returncode == 0 and r.stdout.endswith("install ok installed"):
        return True
    r = run(["dpkg-query", "-W", "-f", "${Provides}\n"])
    return any(re.match(r"%s\b" % re.escape(package), p.strip())
               for line in r.stdout.splitlines() for p in line.split(","))


def test_deb_package_builds_lists_unpacks_and_runs(tmp_path):
    out = tmp_path / "pkg"
    r = run(["cpack", "-G", "DEB", "--config", os.path.join(rig.BUILD, "CPackConfig.cmake"),
             "-B", str(out)], timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    debs = glob.glob(str(out / "*.deb"))
    assert len(debs) == 1, r.stdout
    deb = debs[0]
    version = version_line().split()[1]
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    assert os.path.basename(deb) == "iamfs_%s_%s.deb" % (version, arch)
    listing = run(["dpkg-deb", "-c", deb])
    assert listing.returncode == 0
    files = sorted(line.split()[-1] for line in listing.stdout.splitlines()
                   if not line.startswith("d"))
    assert files == ["./usr/" + f for f in INSTALLED]
    fields = run(["dpkg-deb", "-f", deb, "Package", "Version", "Depends"]).stdout
    assert "Package: iamfs\n" in fields and "Version: %s\n" % version in fields
    depends = re.search(r"^Depends: (.*)$", fields, re.M).group(1).split(", ")
    assert depends == deb_depends()
    # They are real package names of this system (installed here, or provided).
    assert [d for d in depends if not installed_or_provided(d)] == []
    root = tmp_path / "root"
    assert run(["dpkg-deb", "-x", deb, str(root)]).returncode == 0
    r = run([str(root / "usr/bin/iamfs"), "--version"])
    assert r.returncode == 0 and r.stdout == version_line()
    unit = (root / "usr/lib/systemd/user/iamfs@.service").read_text()
    assert "\nExecStart=/usr/bin/iamfs -f --profile %i %h/iam-%i\n" in unit
    _, err = render(str(root / "usr/share/man/man1/iamfs.1"))
    assert err == ""
    r = run([str(root / "usr/bin/iamfs-snapshot")])
    assert r.returncode == 2 and r.stderr.startswith("usage: iamfs-snapshot")


# -- bash completion -------------------------------------------------------------

AWS_CONFIG = """\
[default]
region = us-east-1
[profile prod]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = default
[ profile  dev-admin ]
[sso-session corp]
[services local]
"""
AWS_CREDENTIALS = "[default]\naws_access_key_id = x\n[ci]\naws_access_key_id = y\n"


def aws_files(tmp_path):
    cfg, creds = tmp_path / "aws-config", tmp_path / "aws-credentials"
    cfg.write_text(AWS_CONFIG)
    creds.write_text(AWS_CREDENTIALS)
    env = dict(os.environ, AWS_CONFIG_FILE=str(cfg), AWS_SHARED_CREDENTIALS_FILE=str(creds),
               HOME=str(tmp_path))
    return env


def complete(line, env, cwd=None):
    """The completions bash's _iamfs offers with the cursor at the end of line."""
    script = ('source "$1"; COMP_LINE=$2; COMP_POINT=${#2}; read -ra COMP_WORDS <<<"$2"; '
              '_iamfs; printf "%s\\n" "${COMPREPLY[@]}"')
    r = run(["bash", "--norc", "-c", script, "_", COMPLETION, line], env=env, cwd=cwd)
    assert r.returncode == 0, r.stderr
    return [w for w in r.stdout.split("\n") if w]


def test_completion_of_options_and_profiles(tmp_path):
    env = aws_files(tmp_path)
    iamfs = rig.IAMFS
    every = sorted(set(re.findall(r"--[a-z][a-z-]+", help_text())))
    assert complete(iamfs + " --", env) == every
    assert complete(iamfs + " --pr", env) == ["--profile", "--profiles", "--prune-versions"]
    assert complete(iamfs + " -", env) == sorted(every + ["-d", "-f", "-o"])
    # Profiles: [default] and [profile X] of the config, every section of the credentials.
    assert complete(iamfs + " --profile ", env) == ["ci", "default", "dev-admin", "prod"]
    assert complete(iamfs + " --profile d", env) == ["default", "dev-admin"]
    # bash splits words at '=': only the part after it is replaced.
    assert complete(iamfs + " --profile=p", env) == ["prod"]
    assert complete(iamfs + " -o ro,dr", env) == ["ro,dry_run"]
    assert complete(iamfs + " -o read_only,profile=c", env) == ["ci"]
    assert "read_only" in complete(iamfs + " -o ", env)
    assert complete(iamfs + " -o pr", env) == ["profile=", "profiles=", "prune_versions"]
    # --profiles takes a comma list, -o profiles= a colon list.
    assert complete(iamfs + " --profiles ci,d", env) == ["ci,default", "ci,dev-admin"]
    assert complete(iamfs + " -o profiles=ci:p", env) == ["prod"]
    (tmp_path / "mnt-a").mkdir()
    assert complete(iamfs + " --profile prod mnt", env, cwd=str(tmp_path)) == ["mnt-a"]
    # The default files are used when the variables are unset.
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "config").write_text("[profile home-one]\n")
    env.pop("AWS_CONFIG_FILE")
    env.pop("AWS_SHARED_CREDENTIALS_FILE")
    assert complete(iamfs + " --profile ", env) == ["home-one"]


def test_tab_completes_in_an_interactive_bash(tmp_path):
    env = aws_files(tmp_path)
    env.update(PATH=rig.BUILD + os.pathsep + env["PATH"], PS1="$ ", TERM="dumb",
               INPUTRC="/dev/null")
    sh = ptyrun.Pty(["bash", "--norc", "--noprofile", "-i"], env=env, cwd=str(tmp_path))
    try:
        sh.send(b"source '%s'; echo sourced\n" % COMPLETION.encode())
        assert sh.read_until(rb"\nsourced\r?\n")
        sh.send(b"iamfs --prune-v\t")
        assert sh.read_until(rb"iamfs --prune-versions "), sh.out
        sh.send(b"--profile pr\t")
        assert sh.read_until(rb"--profile prod "), sh.out
        sh.send(b"\x15exit 0\n")  # ^U: drop the line
        assert sh.wait(timeout=10) == 0
    finally:
        sh.close()
