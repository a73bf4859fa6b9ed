//! The PostgreSQL side: the target's schema comes from PgStore's own migrations; each
//! page is written with the position it reached in one transaction, in the table
//! `natter_migration`, so an interrupted copy goes on exactly where it stopped. While
//! that table exists the database is half-copied, and PgStore refuses to serve it.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use rusqlite::types::Value;
use sqlx::postgres::PgPool;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::tables::{Col, TABLES, Table};

pub use natter_store_postgres::MIGRATION_TABLE;

pub struct Target {
    pool: PgPool,
}

/// Where a table's copy stands.
#[derive(Debug, Clone)]
pub struct Position {
    pub last_key: Option<Vec<Value>>,
    pub copied: i64,
}

/// One value bound into PostgreSQL, typed as its column is.
enum Bound {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Bytes(Option<Vec<u8>>),
    Json(Option<String>),
}

impl Target {
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        Ok(Self { pool: natter_store_postgres::connect(url, 2).await? })
    }

    /// The columns of each natter table (not sqlx's, not the migration's own).
    pub async fn schema(&self) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "select table_name::text, column_name::text from information_schema.columns
              where table_schema = current_schema() and table_name not like '\\_sqlx\\_%' and table_name <> $1
              order by table_name, column_name",
        )
        .bind(MIGRATION_TABLE)
        .fetch_all(&self.pool)
        .await?;
        let mut schema: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (table, column) in rows {
            schema.entry(table).or_default().push(column);
        }
        Ok(schema)
    }

    /// The positions of a copy that was started from `source` and not finished;
    /// `None` when no copy was started here.
    pub async fn positions(&self, source: &str) -> anyhow::Result<Option<BTreeMap<String, Position>>> {
        let (exists,): (bool,) = sqlx::query_as("select to_regclass($1) is not null")
            .bind(MIGRATION_TABLE)
            .fetch_one(&self.pool)
            .await?;
        if !exists {
            return Ok(None);
        }
        let rows: Vec<(String, String, Option<String>, i64)> =
            sqlx::query_as(&format!("select table_name, source, last_key, copied from {MIGRATION_TABLE}"))
                .fetch_all(&self.pool)
                .await?;
        let mut positions = BTreeMap::new();
        for (table, from, last_key, copied) in rows {
            if from != source {
                bail!(
                    "this database holds an unfinished copy of another installation ({from}); \
                     finish that one, or migrate into an empty database"
                );
            }
            let last_key = last_key.map(|k| decode_key(&k)).transpose()?;
            positions.insert(table, Position { last_key, copied });
        }
        Ok(Some(positions))
    }

    /// The natter tables that hold rows.
    pub async fn non_empty_tables(&self) -> anyhow::Result<Vec<&'static str>> {
        let mut full = Vec::new();
        for t in TABLES {
            let (any,): (bool,) = sqlx::query_as(&format!("select exists (select 1 from {})", t.name))
                .fetch_one(&self.pool)
                .await?;
            if any {
                full.push(t.name);
            }
        }
        Ok(full)
    }

    /// Start a copy from `source`: every table at its beginning.
    pub async fn start(&self, source: &str) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!(
            "create table {MIGRATION_TABLE} (
                table_name text primary key,
                source text not null,
                last_key text,
                copied bigint not null default 0
            )"
        ))
        .execute(&mut *tx)
        .await?;
        for t in TABLES {
            sqlx::query(&format!("insert into {MIGRATION_TABLE} (table_name, source) values ($1, $2)"))
                .bind(t.name)
                .bind(source)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Empty `table` and set its position back to the start.
    pub async fn restart_table(&self, table: &'static Table) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&format!("delete from {}", table.name)).execute(&mut *tx).await?;
        sqlx::query(&format!(
            "update {MIGRATION_TABLE} set last_key = null, copied = 0 where table_name = $1"
        ))
        .bind(table.name)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every position back to the start (rows stay: the next run writes them again).
    pub async fn rewind(&self) -> anyhow::Result<()> {
        sqlx::query(&format!("update {MIGRATION_TABLE} set last_key = null, copied = 0"))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Write `rows` of `table` (inserted, or updated where a row with the key exists)
    /// and the position after the last of them, in one transaction.
    pub async fn write_page(
        &self,
        table: &'static Table,
        rows: &[Vec<Value>],
        copied: i64,
    ) -> anyhow::Result<()> {
        let Some(last) = rows.last() else { return Ok(()) };
        let bound = rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(table.cols)
                    .map(|(v, (name, col))| {
                        bind_value(v, *col).with_context(|| format!("{}.{name} holds {v:?}", table.name))
                    })
                    .collect::<anyhow::Result<Vec<_>>>()
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mut q = QueryBuilder::<Postgres>::new(format!(
            "insert into {} ({}) {} ",
            table.name,
            table.column_list(),
            if table.identity.is_some() { "overriding system value" } else { "" }
        ));
        q.push_values(bound, |mut b, row| {
            for v in row {
                match v {
                    Bound::Uuid(v) => b.push_bind(v),
                    Bound::Text(v) => b.push_bind(v),
                    Bound::Int(v) => b.push_bind(v),
                    Bound::Bool(v) => b.push_bind(v),
                    Bound::Bytes(v) => b.push_bind(v),
                    Bound::Json(v) => b.push_bind(v).push_unseparated("::jsonb"),
                };
            }
        });
        let updates: Vec<String> = table
            .cols
            .iter()
            .filter(|(name, _)| !table.key.contains(name))
            .map(|(name, _)| format!("{name} = excluded.{name}"))
            .collect();
        q.push(format!(" on conflict ({}) do update set {}", table.key_list(), updates.join(", ")));
        let key: Vec<Value> = table.key_positions().into_iter().map(|i| last[i].clone()).collect();
        let mut tx = self.pool.begin().await?;
        q.build().execute(&mut *tx).await.with_context(|| format!("cannot write into {}", table.name))?;
        sqlx::query(&format!(
            "update {MIGRATION_TABLE} set last_key = $2, copied = $3 where table_name = $1"
        ))
        .bind(table.name)
        .bind(encode_key(&key)?)
        .bind(copied)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn count(&self, table: &'static Table) -> anyhow::Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as(&format!("select count(*) from {}", table.name)).fetch_one(&self.pool).await?;
        Ok(n)
    }

    /// As `Source::last_seqs`.
    pub async fn last_seqs(&self) -> anyhow::Result<BTreeMap<String, (i64, i64)>> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "select c.id::text, c.last_seq,
                    coalesce((select max(seq) from chat_events e where e.chat_id = c.id), 0)
               from chats c",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id, last, feed)| (id, (last, feed))).collect())
    }

    /// The copy checked out: move identity sequences past the copied ids and drop the
    /// positions, which makes the database servable.
    pub async fn finish(&self) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        for t in TABLES {
            if let Some(col) = t.identity {
                sqlx::query(&format!(
                    "select setval(pg_get_serial_sequence('{0}', '{col}'), coalesce(max({col}), 0) + 1, false) from {0}",
                    t.name
                ))
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(&format!("drop table {MIGRATION_TABLE}")).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn bind_value(v: &Value, col: Col) -> anyhow::Result<Bound> {
    Ok(match (col, v) {
        (Col::Uuid, Value::Null) => Bound::Uuid(None),
        (Col::Uuid, Value::Text(s)) => Bound::Uuid(Some(Uuid::parse_str(s)?)),
        (Col::Text, Value::Null) => Bound::Text(None),
        (Col::Text, Value::Text(s)) => Bound::Text(Some(s.clone())),
        (Col::Int, Value::Null) => Bound::Int(None),
        (Col::Int, Value::Integer(i)) => Bound::Int(Some(*i)),
        (Col::Bool, Value::Null) => Bound::Bool(None),
        (Col::Bool, Value::Integer(i)) => Bound::Bool(Some(*i != 0)),
        (Col::Bytes, Value::Null) => Bound::Bytes(None),
        (Col::Bytes, Value::Blob(b)) => Bound::Bytes(Some(b.clone())),
        (Col::Bytes, Value::Text(s)) => Bound::Bytes(Some(s.clone().into_bytes())),
        (Col::Json, Value::Null) => Bound::Json(None),
        (Col::Json, Value::Text(s)) => {
            serde_json::from_str::<serde_json::Value>(s).context("not JSON")?;
            Bound::Json(Some(s.clone()))
        }
        _ => bail!("a value of an unexpected type for a {col:?} column"),
    })
}

/// A key as JSON (`["<uuid>", 7]`): keys are text and integers only.
fn encode_key(key: &[Value]) -> anyhow::Result<String> {
    let parts = key
        .iter()
        .map(|v| match v {
            Value::Integer(i) => Ok(serde_json::Value::from(*i)),
            Value::Text(s) => Ok(serde_json::Value::from(s.as_str())),
            other => bail!("a key column holds {other:?}"),
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(serde_json::Value::Array(parts).to_string())
}

fn decode_key(text: &str) -> anyhow::Result<Vec<Value>> {
    let parts: Vec<serde_json::Value> = serde_json::from_str(text).context("a saved position is corrupt")?;
    parts
        .into_iter()
        .map(|p| match p {
            serde_json::Value::String(s) => Ok(Value::Text(s)),
            serde_json::Value::Number(n) => {
                n.as_i64().map(Value::Integer).context("a saved position is corrupt")
            }
            _ => bail!("a saved position is corrupt"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_position_reads_back_as_it_was_written() {
        let key = vec![Value::Text("0190c0de-0000-7000-8000-000000000001".into()), Value::Integer(42)];
        assert_eq!(decode_key(&encode_key(&key).unwrap()).unwrap(), key);
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_not_guessed() {
        assert!(bind_value(&Value::Text("7".into()), Col::Int).is_err());
        assert!(bind_value(&Value::Text("not a uuid".into()), Col::Uuid).is_err());
        assert!(bind_value(&Value::Text("{".into()), Col::Json).is_err());
        assert!(matches!(bind_value(&Value::Integer(1), Col::Bool), Ok(Bound::Bool(Some(true)))));
    }
}
