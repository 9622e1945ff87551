"""The shop assistant: a customer's message -> a grounded answer with its sources.

``understand`` reads a message (intent, products meant, constraints); ``facts`` answers
from catalog fields; ``knowledge`` indexes the shop's pages and past answers and
``evidence`` finds the best of them; ``engine`` puts it together per turn, with
``session`` keeping the conversation; ``generator`` optionally rephrases (never adds);
``live`` rebuilds the assistant for a server when its engine or knowledge changes.
"""

from shopmind.assistant.engine import Ask, Assistant, Reply
from shopmind.assistant.evidence import Evidence, answering_sentence, passages, past_answers
from shopmind.assistant.facts import Fact, product_facts
from shopmind.assistant.generator import Generator, Rephrased, unsupported_claims
from shopmind.assistant.knowledge import KnowledgeIndex
from shopmind.assistant.live import LiveAssistant, assistant_encoder
from shopmind.assistant.scale import Scale
from shopmind.assistant.session import Conversation, Sessions, Turn
from shopmind.assistant.topic import Topicality
from shopmind.assistant.understand import INTENTS, Constraints, Understanding, understand

__all__ = [
    "INTENTS",
    "Ask",
    "Assistant",
    "Constraints",
    "Conversation",
    "Evidence",
    "Fact",
    "Generator",
    "KnowledgeIndex",
    "LiveAssistant",
    "Rephrased",
    "Reply",
    "Scale",
    "Sessions",
    "Topicality",
    "Turn",
    "Understanding",
    "answering_sentence",
    "assistant_encoder",
    "passages",
    "past_answers",
    "product_facts",
    "understand",
    "unsupported_claims",
]
