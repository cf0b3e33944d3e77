-- +goose Up
-- Alerts that halt (docs/operations.md). Each source (Alertmanager,
-- Grafana) posts to its own address with a bearer secret, of which only
-- the hash is kept (hint: its first characters, to tell secrets apart);
-- an admin names the labels that carry the product and the version.
CREATE TABLE alert_sources (
    source        TEXT PRIMARY KEY CHECK (source IN ('alertmanager', 'grafana')),
    secret_hash   TEXT NOT NULL DEFAULT '',
    hint          TEXT NOT NULL DEFAULT '',
    product_label TEXT NOT NULL DEFAULT 'gonogo_product' CHECK (length(product_label) BETWEEN 1 AND 100),
    version_label TEXT NOT NULL DEFAULT 'gonogo_version' CHECK (length(version_label) BETWEEN 1 AND 100),
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- An alert as a release keeps it: one row per occurrence (fingerprint and
-- start) and release. The release page lists the newest few; the gate
-- asks for the ones still firing.
CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL CHECK (source IN ('alertmanager', 'grafana')),
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) BETWEEN 1 AND 200),
    release_id  INTEGER NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
    status      TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    name        TEXT NOT NULL,
    severity    TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    url         TEXT NOT NULL DEFAULT '',
    starts_at   TEXT NOT NULL,
    ends_at     TEXT,
    updated_at  TEXT NOT NULL,
    UNIQUE (source, fingerprint, release_id, starts_at)
) STRICT;
CREATE INDEX alerts_release ON alerts (release_id, id);
CREATE INDEX alerts_firing ON alerts (source, fingerprint) WHERE status = 'firing';

-- What a product lets an alert do by itself: roll a release back on a
-- critical alert. A product without a row leaves it to people.
CREATE TABLE product_alerts (
    product              TEXT PRIMARY KEY REFERENCES products (key) ON DELETE CASCADE,
    rollback_on_critical INTEGER NOT NULL DEFAULT 0 CHECK (rollback_on_critical IN (0, 1))
) STRICT, WITHOUT ROWID;

-- A firing alert fails the verification item "Dashboards healthy", found
-- by its check key: give the key to the templates and to the releases that
-- already have the item, unless something else holds it there.
UPDATE template_items SET check_key = 'dashboards-healthy'
WHERE id IN (SELECT min(t.id) FROM template_items t
             WHERE t.title = 'Dashboards healthy' AND t.phase = 'verification' AND t.check_key = '' GROUP BY t.product)
  AND NOT EXISTS (SELECT 1 FROM template_items o WHERE o.product = template_items.product AND o.check_key = 'dashboards-healthy');
UPDATE items SET check_key = 'dashboards-healthy'
WHERE id = (SELECT min(o.id) FROM items o
            WHERE o.release_id = items.release_id AND o.title = 'Dashboards healthy' AND o.phase = 'verification'
              AND o.check_key = '' AND o.source = '')
  AND NOT EXISTS (SELECT 1 FROM items o WHERE o.release_id = items.release_id AND o.check_key = 'dashboards-healthy');

-- +goose Down
UPDATE items SET check_key = '' WHERE check_key = 'dashboards-healthy';
UPDATE template_items SET check_key = '' WHERE check_key = 'dashboards-healthy';
DROP TABLE product_alerts;
DROP TABLE alerts;
DROP TABLE alert_sources;
