// PaperGraph: saved queries for Neo4j Browser.
// Paste one at a time, or star it to keep it in the favourites. Replace the example ids and names.
// The data model is described in graph_schema/schema.md.

// --- 1. Overview: how many nodes of each kind ---------------------------------------------------------
MATCH (n)
RETURN labels(n)[0] AS label, count(*) AS nodes
ORDER BY nodes DESC;

// --- 2. Papers by technique and hardware --------------------------------------------------------------
// A value matches an entity's name, its family, or (hardware) its type, ignoring case.
MATCH (p:Paper)-[:MENTIONS]->(t:Technique), (p)-[:MENTIONS]->(h:Hardware)
WHERE 'quantization' IN [toLower(t.name), toLower(t.family)]
  AND 'fpga' IN [toLower(h.name), toLower(h.family), toLower(h.type)]
RETURN p.id, p.title, collect(DISTINCT t.name) AS techniques, collect(DISTINCT h.name) AS hardware
ORDER BY p.title;

// --- 3. The same, drawn as a graph --------------------------------------------------------------------
MATCH path = (t:Technique)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(h:Hardware)
WHERE 'quantization' IN [toLower(t.name), toLower(t.family)] AND toLower(h.type) = 'fpga'
RETURN path LIMIT 50;

// --- 4. Hardware co-occurrence: devices studied in the same papers -------------------------------------
MATCH (a:Hardware)<-[:MENTIONS]-(p:Paper)-[:MENTIONS]->(b:Hardware)
WHERE a.id < b.id
RETURN a.name, b.name, count(p) AS papers
ORDER BY papers DESC LIMIT 25;

// --- 5. Metrics per hardware: throughput numbers tied to a device -------------------------------------
MATCH (p:Paper)-[:REPORTS]->(m:Metric {kind: 'throughput'})-[:MEASURED_ON]->(h:Hardware)
RETURN h.name AS hardware, m.value AS value, m.unit AS unit, m.surface AS as_written, p.title AS paper
ORDER BY hardware, value DESC;

// --- 6. A paper's neighbourhood (its entities, metrics and the hardware they were measured on) --------
MATCH (p:Paper {id: '2401.00001'})-[r]-(n)
OPTIONAL MATCH (n)-[r2:MEASURED_ON]->(h:Hardware)
RETURN p, r, n, r2, h;

// --- 7. Everything around one entity, two hops out (papers, and what those papers mention) ------------
MATCH (h:Hardware {id: 'hardware:nvidia-a100'})<-[r1]-(p:Paper)-[r2]->(n)
WHERE NOT n:Metric
RETURN h, r1, p, r2, n LIMIT 150;

// --- 8. The most-studied entities of each kind ---------------------------------------------------------
MATCH (n)<-[:MENTIONS|PROPOSES]-(p:Paper)
RETURN labels(n)[0] AS kind, n.name AS name, count(p) AS papers
ORDER BY papers DESC LIMIT 30;

// --- 9. Systems papers propose, with the sentence that proposes them ----------------------------------
MATCH (p:Paper)-[r:PROPOSES]->(s:System)
RETURN s.name AS system, p.title AS paper, r.evidence AS evidence
ORDER BY system;

// --- 10. Full-text search over titles and abstracts (index paper_text) --------------------------------
CALL db.index.fulltext.queryNodes('paper_text', 'speculative AND decoding') YIELD node, score
RETURN node.id, node.title, score LIMIT 10;

// --- 11. Papers similar to one paper (vector index paper_embedding; needs export-neo4j --with-embeddings)
MATCH (p:Paper {id: '2401.00001'})
CALL db.index.vector.queryNodes('paper_embedding', 10, p.embedding) YIELD node, score
RETURN node.id, node.title, score;

// --- 12. A product line and every model under it (IN_FAMILY, any depth) -------------------------------
MATCH path = (f:Hardware {name: 'NVIDIA Jetson'})<-[:IN_FAMILY*0..]-(h:Hardware)<-[:MENTIONS]-(p:Paper)
RETURN path LIMIT 100;

// --- 13. A model family of systems: Llama -> Llama 2 -> Llama-2-7B ------------------------------------
MATCH (f:System {name: 'Llama'})<-[:IN_FAMILY*0..]-(s:System)<-[:MENTIONS|PROPOSES]-(p:Paper)
RETURN s.name AS model, s.family AS family, count(p) AS papers
ORDER BY papers DESC;
