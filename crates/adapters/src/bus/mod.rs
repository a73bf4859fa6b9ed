mod memory;

pub use memory::MemoryBus;
