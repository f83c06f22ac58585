-- Issue 4 wiring: the fake clock shared by every process of a demonstration (docs/fake-clock.md), and
-- the go/no-go decision after the test batch (docs/status-flow.md "Test batch and go/no-go").

-- One row at most: its presence means "this database runs on a fake clock".
CREATE TABLE fake_clock (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  now        timestamptz NOT NULL,
  -- real time of the last move, for the log
  moved_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE project_go_decisions (
  id          bigserial PRIMARY KEY,
  project_id  bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  decision    text NOT NULL CHECK (decision IN ('go', 'no_go')),
  decided_by  text NOT NULL,
  -- clock time (fake in fake-clock mode)
  decided_at  timestamptz NOT NULL,
  note        text NOT NULL DEFAULT ''
);
CREATE INDEX project_go_decisions_project ON project_go_decisions (project_id, decided_at DESC, id DESC);
