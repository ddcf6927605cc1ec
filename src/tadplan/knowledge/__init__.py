"""The knowledge base: clinical rules and reference tables as versioned YAML with sources.

``load_knowledge()`` reads and validates every rule file (``data/rules/*.yaml`` plus any
``--rules DIR``), the reference tables (``data/tables.yaml``: default screw sizes, failure
rates and root risk by site, ranking weights) and the citation registry
(``data/sources/*.yaml``).
"""

from tadplan.knowledge.loader import Knowledge, KnowledgeError, Rule, load_knowledge
from tadplan.knowledge.sources import Source, cite, sources

__all__ = ["Knowledge", "KnowledgeError", "Rule", "Source", "cite", "load_knowledge", "sources"]
