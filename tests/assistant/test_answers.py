"""The extractive answer, abstention, follow-up rewriting and citation checks."""

from __future__ import annotations

import re

import pytest

from assistant.citations import markers, strip_markers, supported
from assistant.composers.extractive import ExtractiveComposer
from assistant.errors import InvalidQuestion, KnowledgeBaseEmpty
from assistant.followup import Turn, depends_on_history, standalone_query
from assistant.glossary import expand
from assistant.passages import Passage
from assistant.service import Assistant
from tests.factories import make_passage


def test_answer_sentences_are_quoted_from_the_cited_passages(assistant: Assistant) -> None:
    answer = assistant.ask("What should a joint health check cover?")
    assert not answer.abstained
    sentences = re.split(r"(?<=\])\s+", answer.answer)
    assert 2 <= len(sentences) <= 6
    by_index = {c.index: c.passage.text for c in answer.citations}
    for sentence in sentences:
        number = int(re.search(r"\[(\d+)\]$", sentence).group(1))
        assert strip_markers(sentence).rstrip(".") in " ".join(by_index[number].split())


def test_most_direct_sentence_comes_first(assistant: Assistant) -> None:
    answer = assistant.ask("Do comments or scores matter more in a health check survey?")
    first = re.split(r"(?<=\])\s+", answer.answer)[0]
    assert "comments" in first and "matter more" in first


def test_no_sentence_is_repeated(assistant: Assistant) -> None:
    answer = assistant.ask("health check")
    sentences = [strip_markers(s) for s in re.split(r"(?<=\])\s+", answer.answer)]
    assert len(sentences) == len(set(sentences))


def test_a_sentence_that_restates_another_is_dropped() -> None:
    passages = [
        make_passage(
            "Show the results as a diagram of where the partners differ, and use the gaps to start the "
            "conversation. Ask both partners to score the same dimensions.",
            "article",
        ),
        make_passage(
            "Results are best shown as a diagram of where the partners differ. A facilitator reads the comments "
            "aloud before the scores.",
            "roundtable",
        ),
    ]
    answer = ExtractiveComposer().compose("how should health check results be shown to the partners?", passages)
    said = [sentence for sentence, _ in answer.sentences]
    assert sum("diagram of where the partners differ" in sentence for sentence in said) == 1
    assert len(said) >= 2


def test_sentences_that_differ_in_their_figures_are_all_kept() -> None:
    tiers = make_passage(
        "Silver partners: $250,000 to $1 million in sales, 2 percent back-end rebate. "
        "Gold partners: $1 million to $5 million in sales, 4 percent back-end rebate. "
        "Platinum partners: above $5 million in sales, 6 percent back-end rebate."
    )
    answer = ExtractiveComposer().compose("what back-end rebate does each partner tier earn?", [tiers])
    said = " ".join(sentence for sentence, _ in answer.sentences)
    assert all(f"{n} percent back-end rebate" in said for n in (2, 4, 6))


STORY = (
    "Every month our meeting with the logistics partner turns into an argument about whose delivery spreadsheet is "
    "right, the delivery figures never match, and the bad news about late trucks reaches me on the morning of the "
    "meeting. I dread these calls and I think they do too. How do we make the delivery meetings useful again?"
)


def _story_passages(dense_top: str, keyword_top: str) -> list[Passage]:
    """Three documents in fused order: `a` shares the story's words, `b` and `c` are each retriever's choice."""
    score = {"a": (0.50, 6.0), "b": (0.40, 3.0), "c": (0.30, 2.0)}
    score[dense_top] = (0.70, score[dense_top][1])
    score[keyword_top] = (score[keyword_top][0], 9.0)
    texts = {
        "a": "Compare the delivery spreadsheet of each partner before the monthly meeting about late trucks. "
        "Send the delivery figures a week before the meeting so nobody hears bad news on the morning.",
        "b": "Agree one shared scorecard with a handful of measures that both organisations define identically.",
        "c": "A no-surprises rule means a problem is raised when it is found, not saved for the next review.",
    }
    return [make_passage(texts[d], d, dense=score[d][0], keyword=score[d][1]) for d in "abc"]


def test_a_story_read_differently_by_the_two_retrievers_is_answered_from_both_their_documents() -> None:
    said = ExtractiveComposer().compose(STORY, _story_passages(dense_top="b", keyword_top="c")).sentences
    assert {p for _, p in said} == {0, 1, 2}
    # The sentences that match the story best still come first.
    assert said[0][1] == 0


def test_a_story_both_retrievers_agree_on_stays_with_that_document() -> None:
    said = ExtractiveComposer().compose(STORY, _story_passages(dense_top="a", keyword_top="a")).sentences
    assert {p for _, p in said} == {0}


def test_a_story_is_also_answered_from_the_passage_closest_to_what_it_asks() -> None:
    passages = _story_passages(dense_top="a", keyword_top="a")
    for passage, ask in zip(passages, (0.30, 0.20, 0.60), strict=True):
        passage.ask = ask
    said = ExtractiveComposer().compose(STORY, passages).sentences
    assert {p for _, p in said} == {0, 2}
    assert said[0][1] == 0


def test_a_short_question_is_not_spread_over_the_retrievers_documents() -> None:
    question = "What should we send before the monthly delivery meeting?"
    said = ExtractiveComposer().compose(question, _story_passages(dense_top="b", keyword_top="c")).sentences
    assert {p for _, p in said} == {0}


def test_plain_text_headings_and_checklist_boxes_are_not_part_of_answer_sentences() -> None:
    checklist = make_passage(
        "Monthly Points Settlement Checklist\n\n"
        "Purpose\n"
        "This checklist is for the partner operations team that settles points every month.\n\n"
        "Before month end\n"
        "[ ] Confirm both partners use the same cut-off for the monthly points file.\n"
        "[x] Check that promotions ending this month have their bonus rules loaded on both sides.\n\n"
        "The settlement file is kept by the partner operations lead\n"
        "for two years after the month it covers.",
        "checklist",
    )
    said = [
        sentence
        for sentence, _ in ExtractiveComposer(max_sentences=6)
        .compose("what should partner operations check before month end on the monthly points file?", [checklist])
        .sentences
    ]
    assert "Confirm both partners use the same cut-off for the monthly points file." in said
    assert "This checklist is for the partner operations team that settles points every month." in said
    assert not any(s.startswith(("Purpose", "Before month end", "Monthly Points", "[")) or "[ ]" in s for s in said)
    # A line broken in the middle of a sentence is not a heading.
    assert any(s.startswith("The settlement file is kept by the partner operations lead for two years") for s in said)


def test_a_question_that_asks_how_often_is_answered_first_by_a_frequency() -> None:
    article = make_passage(
        "The steering committee meets to decide on strategy, budget and scope. "
        "Members of the steering committee should be senior enough to commit resources when they meet. "
        "Most steering committees meet twice a year, and quarterly when the alliance is large or at risk."
    )
    said = ExtractiveComposer().compose("How often should the steering committee meet?", [article]).sentences
    assert said[0][0].startswith("Most steering committees meet twice a year")


STEPS = make_passage(
    "1. **Set up the operating team meeting.** Owner: alliance manager and partner counterpart. Timing: start in "
    "week 3; meet every week or every two weeks. Inputs: the project plan. Outputs: an action log with owners.\n"
    "2. **Book the operating team's annual review.** Owner: executive sponsors of both companies. Timing: by "
    "mid-September. The annual review of the operating team looks at how its meetings went over the year.",
    "playbook",
)


def test_a_step_field_answers_the_question_that_asks_for_it_under_the_steps_name() -> None:
    said = [s for s, _ in ExtractiveComposer().compose("How often should the operating team meet?", [STEPS]).sentences]
    assert said[0] == "Set up the operating team meeting. Timing: start in week 3; meet every week or every two weeks."
    # A timing that states no frequency (a booking deadline) does not answer "how often".
    assert not any("mid-September" in s for s in said)
    said = [s for s, _ in ExtractiveComposer().compose("Who owns the operating team's review?", [STEPS]).sentences]
    assert "Book the operating team's annual review. Owner: executive sponsors of both companies." in said


def test_step_names_and_fields_nobody_asked_for_are_not_quoted() -> None:
    said = [s for s, _ in ExtractiveComposer().compose("What does the operating team review?", [STEPS]).sentences]
    assert said
    assert not any(re.search(r"\b(Owner|Timing|Inputs|Outputs):", s) for s in said)
    assert not any(s.startswith(("Set up the operating team meeting.", "Book the operating team's")) for s in said)
    # A bold item that says nothing more is a statement in its own right.
    takeaways = make_passage("- **Pre-brief each executive sponsor a week before the steering committee.**\n- Other.")
    said = [s for s, _ in ExtractiveComposer().compose("When should sponsors be pre-briefed?", [takeaways]).sentences]
    assert said == ["Pre-brief each executive sponsor a week before the steering committee."]


@pytest.mark.parametrize(
    "question",
    [
        "How do I bake sourdough bread?",
        "Who won the football world cup in 2014?",
        "how do I reverse a linked list?",
        # A long story about community life in the words of partnership trouble (sharing, a row, meetings, rules).
        "Our allotment society has six plot holders sharing one shed and a water tank, and the treasurer has started "
        "charging extra for the hose without asking anyone. Two of the older members are furious and have stopped "
        "coming to the monthly meeting. I don't want to take sides. How do I get everyone back round the table, "
        "and should we agree some rules?",
    ],
)
def test_out_of_scope_is_declined_with_what_is_covered(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.abstained and answer.citations == []
    assert "health checks" in answer.answer


def test_bad_questions_raise_clear_errors(assistant: Assistant) -> None:
    with pytest.raises(InvalidQuestion, match="empty"):
        assistant.ask("  ")
    with pytest.raises(InvalidQuestion, match="limit"):
        assistant.ask("x" * (assistant.settings.max_question_chars + 1))


def test_empty_knowledge_base_says_how_to_fill_it(settings, embedder) -> None:  # noqa: ANN001
    with pytest.raises(KnowledgeBaseEmpty, match="alliance ingest"):
        Assistant(settings, embedder=embedder).ask("how do I prioritize?")


def test_follow_up_is_rewritten_with_the_previous_question() -> None:
    history = [Turn("user", "How do I win an executive sponsor?"), Turn("assistant", "Show results. [1]")]
    rewritten = standalone_query("which of those needs the sponsor?", history)
    assert "executive" in rewritten and rewritten.startswith("which of those")
    assert standalone_query("How do I run a joint health check with a partner?", history) == (
        "How do I run a joint health check with a partner?"
    )
    assert standalone_query("which of those?", []) == "which of those?"
    # A short question with a subject of its own and no word pointing back is a new question.
    assert standalone_query("How often should the steering committee meet?", history) == (
        "How often should the steering committee meet?"
    )


def test_dependence_detection() -> None:
    assert depends_on_history("and for a CRO?")
    assert depends_on_history("what about them?")
    assert not depends_on_history("How should we structure quarterly joint business reviews with partners?")
    # Words that name no subject do not make a question standalone, however many there are.
    assert depends_on_history("What should come down first, and how quickly?")
    assert not depends_on_history("What happens if the lead clashes with our own direct sales team?")
    assert not depends_on_history("Who should sit on the steering committee?")
    assert depends_on_history("who should attend?")


STORY = (
    "Our partner and I each filled in the same survey about how things are going. The average marks came back "
    "fine, four out of five, but a few people wrote long, angry remarks at the bottom, and my director says to "
    "ignore them because the numbers look good. Should I listen to him?"
)


def test_a_long_story_with_pronouns_is_a_new_question_not_a_follow_up(assistant: Assistant) -> None:
    assert not depends_on_history(STORY)
    # Asked after a declined product question, the story is not read as asking for a PRM product.
    history = [Turn("user", "Which PRM software integrates best with our CRM?"), Turn("assistant", "Declined.")]
    assert standalone_query(STORY, history) == STORY
    answer = assistant.ask(STORY, history)
    assert not answer.abstained
    assert answer.citations[0].passage.doc_id == "t-health"


def test_follow_up_retrieves_from_the_earlier_topic(assistant: Assistant) -> None:
    history = [Turn("user", "What should an autumn reset of the portfolio include?")]
    answer = assistant.ask("and who owns that?", history)
    assert answer.citations[0].passage.doc_id == "t-reset"


def test_glossary_spells_out_jargon() -> None:
    assert "steering committee" in expand("is our steerco too big?")
    assert "joint business review" in expand("prep for the JBR")
    assert expand("plain question") == "plain question"


def passage(text: str) -> Passage:
    return make_passage(text, chunk_id="c", title="T")


def test_citation_check() -> None:
    source = passage("Surveys on a 1–5 scale show where partners differ; satisfaction lands between 3 and 4.6.")
    assert supported("Satisfaction usually lands between 3 and 4.6.", source)
    assert not supported("Satisfaction usually lands between 2 and 4.9.", source)
    assert not supported("Quarterly revenue targets drive bonus payouts for sales teams.", source)
    assert markers("Text [1, 3] and [2].") == [1, 3, 2]


def test_glossary_leaves_ordinary_words_alone() -> None:
    assert expand("how am I supposed to prioritize?") == "how am I supposed to prioritize?"
