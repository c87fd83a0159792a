"""The API's OpenAPI document says every answer the API really gives: each status and each content
type. spectree writes every answer as application/json; a route declares its answers with Answers
(a PDF, an export's formats, its own refusals), and published() adds, as problem+json, what every
route may answer before its view runs (clinic.views.bodies and the access check) and what every
change to an exam may answer (428 without If-Match, 409)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, Final

from pydantic import BaseModel
from spectree import Response
from spectree.utils import get_model_key

from clinic.views.api_schemas import Problem

PROBLEM_TYPE: Final = "application/problem+json"
BINARY: Final = {"schema": {"type": "string", "format": "binary"}}

# Answered before any view, with a problem document: a body or query string that cannot be read
# (400), a request over the size limit (413), and, to a route that reads a body, one that is not
# JSON (415).
EVERY_ROUTE: Final = {"400": "Bad Request", "413": "Content Too Large"}
BODY_ROUTE: Final = {"415": "Unsupported Media Type"}


class Answers(Response):
    """A route's answers, as spectree declares them, and the media types of those that are not
    JSON: `media={"HTTP_200": ("application/pdf",)}`."""

    def __init__(
        self,
        *codes: str,
        media: Mapping[str, tuple[str, ...]] | None = None,
        **models: Any,
    ) -> None:
        super().__init__(*codes, **models)
        self.media = dict(media or {})

    def generate_spec(
        self, naming_strategy: Callable[[type[BaseModel]], str] = get_model_key
    ) -> dict[str, Any]:
        """spectree's answers, with the declared media types."""
        answers: dict[str, Any] = super().generate_spec(naming_strategy)
        for code, types in self.media.items():
            answers[code.removeprefix("HTTP_")]["content"] = dict.fromkeys(types, BINARY)
        return answers


def _change_of_exam(path: str, method: str, answers: dict[str, Any]) -> dict[str, str]:
    """What a change to an exam may answer besides its route's own: a change checked against
    If-Match (it answers 412) gets 428 without one; any change to an exam 409 when the exam's
    state forbids it (signed, or a draft for an addendum)."""
    extra = {"428": "Precondition Required"} if "412" in answers else {}
    if method in ("post", "put") and "{exam_id}" in path:
        extra["409"] = "Conflict"
    return extra


def published(generated: dict[str, Any]) -> dict[str, Any]:
    """The document spectree generated, with problems as problem+json and the answers every
    route may give before its view runs."""
    document = copy.deepcopy(generated)
    problem = next(
        f"#/components/schemas/{name}"
        for name in document["components"]["schemas"]
        if name.split(".")[0] == Problem.__name__
    )
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            extra = EVERY_ROUTE | (BODY_ROUTE if "requestBody" in operation else {})
            extra |= _change_of_exam(path, method, answers)
            for code, description in extra.items():
                answers.setdefault(code, {"description": description})
            for code, answer in answers.items():
                content = answer.get("content", {})
                if (
                    code in extra
                    or content.get("application/json", {}).get("schema", {}).get("$ref") == problem
                ):
                    answer["content"] = {PROBLEM_TYPE: {"schema": {"$ref": problem}}}
    return document
