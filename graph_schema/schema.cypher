// PaperGraph schema for Neo4j 5 (see schema.md for the data model).
//
// The Neo4j store applies this file itself before its first write, one statement at a time, and only
// after a probe (CALL dbms.components()) says the server is Neo4j. A statement the server refuses (a vector
// index on Neo4j < 5.11, missing privileges) is logged and skipped. To apply it by hand:
//   cypher-shell -u neo4j -p <password> -f graph_schema/schema.cypher
// Every statement is idempotent (IF NOT EXISTS). One statement per ';' at the end of a line.

// --- one node per id: uniqueness constraints (each also gives the index MERGE uses) -------------------
CREATE CONSTRAINT paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT hardware_id IF NOT EXISTS FOR (n:Hardware) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT technique_id IF NOT EXISTS FOR (n:Technique) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT system_id IF NOT EXISTS FOR (n:System) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT metric_id IF NOT EXISTS FOR (n:Metric) REQUIRE n.id IS UNIQUE;

// --- lookups by name (as written, and case-folded: name_key) -------------------------------------------
CREATE INDEX hardware_name IF NOT EXISTS FOR (n:Hardware) ON (n.name);
CREATE INDEX technique_name IF NOT EXISTS FOR (n:Technique) ON (n.name);
CREATE INDEX system_name IF NOT EXISTS FOR (n:System) ON (n.name);
CREATE INDEX dataset_name IF NOT EXISTS FOR (n:Dataset) ON (n.name);
CREATE INDEX hardware_name_key IF NOT EXISTS FOR (n:Hardware) ON (n.name_key);
CREATE INDEX technique_name_key IF NOT EXISTS FOR (n:Technique) ON (n.name_key);
CREATE INDEX system_name_key IF NOT EXISTS FOR (n:System) ON (n.name_key);
CREATE INDEX dataset_name_key IF NOT EXISTS FOR (n:Dataset) ON (n.name_key);

// --- filters: hardware class and family, technique family, metric kind, paper year ---------------------
CREATE INDEX hardware_type IF NOT EXISTS FOR (n:Hardware) ON (n.type);
CREATE INDEX hardware_family IF NOT EXISTS FOR (n:Hardware) ON (n.family);
CREATE INDEX technique_family IF NOT EXISTS FOR (n:Technique) ON (n.family);
CREATE INDEX metric_kind IF NOT EXISTS FOR (n:Metric) ON (n.kind);
CREATE INDEX metric_paper IF NOT EXISTS FOR (n:Metric) ON (n.paper_id);
CREATE INDEX paper_year IF NOT EXISTS FOR (n:Paper) ON (n.year);

// --- text search from Cypher: CALL db.index.fulltext.queryNodes('paper_text', 'quantization AND fpga') --
CREATE FULLTEXT INDEX paper_text IF NOT EXISTS FOR (n:Paper) ON EACH [n.title, n.abstract];
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (n:Hardware|Technique|System|Dataset) ON EACH [n.name, n.family];

// --- semantic search from Cypher over the embeddings `papergraph export-neo4j --with-embeddings` stores
// (all-MiniLM-L6-v2: 384 dimensions, normalised): CALL db.index.vector.queryNodes('paper_embedding', 10, $v)
CREATE VECTOR INDEX paper_embedding IF NOT EXISTS
FOR (n:Paper) ON (n.embedding)
OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}};
