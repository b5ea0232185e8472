# Walks up from its folder looking for the gradebook, the instructor's source notebooks and other
# students' submissions, and tries to read and to write them. Inside the sandbox none of them is
# there (its root is built from an allow-list): nothing is found, its functions are graded as they
# are (full marks), and the attempt is flagged for review.
# assignment: dinosaur_island
# base: solution
# expected_failures: none
# expected_score: 24
# expected_flag: refers to 'gradebook.db'
# expected_absent: LEAKED

# %% new-cell-after: setup
import pathlib

here = pathlib.Path.cwd()
for folder in [here, *here.parents]:
    for pattern in ("gradebook.db", "source/*/*.ipynb", "submitted/*/*/*.ipynb", "intake/*/*/*.ipynb",
                    "autograded/*/*/*.ipynb"):
        for path in folder.glob(pattern):
            if here in path.parents:
                continue  # its own folder
            try:
                print("LEAKED", path, len(path.read_bytes()))
                if path.name == "gradebook.db":
                    path.write_bytes(b"")
                    print("LEAKED: wrote the gradebook")
            except OSError as err:
                print("blocked", path, type(err).__name__)
print("search finished")
