"""What is wrong with an input: each problem names its record and field."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: which record, which field, what."""

    record: str
    field: str
    message: str

    def __str__(self):
        return f"{self.record}: {self.field}: {self.message}"


class DatasetError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class WriteConflict(DatasetError):
    """The database refused a row that another writer stored at the same moment (an event of the same id
    that an import and an API client both found new): nothing was written; writing again will do."""
