mod memory;
mod redis;

pub use memory::MemoryPresence;
pub use redis::RedisPresence;
