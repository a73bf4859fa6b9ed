mod object_store;

pub use self::object_store::ObjectMedia;
