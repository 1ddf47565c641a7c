"""Record linkage of Indonesian person records: blocking, Fellegi-Sunter scoring with EM,
clerical review and constrained clustering."""

from pipelines.er.engine import LinkSummary, link_persons
from pipelines.er.records import build_person_records
from pipelines.er.review import import_review

__all__ = ["LinkSummary", "build_person_records", "import_review", "link_persons"]
