mod local;

pub use local::LocalMedia;
