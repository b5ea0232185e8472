# Reads what lies outside its submission: the host's password and shadow files, root's home, the
# course repository (its gradebook, .git, source notebooks), other kernels' folders in /tmp and the
# grader's environment variables. None of them exists inside the sandbox; the notebook is graded
# as usual, and the attempt is flagged for review.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_flag: outside its own folder
# expected_absent: CHARLM_GRADER_CANARY
# expected_absent: SEEN OUTSIDE

# %% new-cell-after: setup
import glob
import os

print(sorted(os.environ))
print({k: v for k, v in os.environ.items() if "CANARY" in k or "CANARY" in v})
for pattern in ("/etc/passwd", "/etc/shadow", "/root/*", "/home/*/*", "/work/*", "/tmp/charlm-*", "/tmp/charlm-*/*",
                "/proc/1/environ", "/proc/*/cwd/*.ipynb", "../*", "../../*"):
    for path in glob.glob(pattern):
        if path.startswith("/home/learner") or path.startswith("/proc/") and "environ" not in path:
            continue
        try:
            with open(path, "rb") as f:
                data = f.read(200)
            print("SEEN OUTSIDE", path, data[:40])
        except OSError:
            pass
