//! A growable bit set of per-sender sequence numbers.

#[derive(Default, Clone, Debug)]
pub struct BitSet {
    words: Vec<u64>,
    count: u64,
}

impl BitSet {
    /// Sets `i`; returns false when it was already set.
    pub fn insert(&mut self, i: u64) -> bool {
        let w = usize::try_from(i / 64).unwrap_or(usize::MAX);
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1u64 << (i % 64);
        let Some(word) = self.words.get_mut(w) else { return false };
        if *word & bit != 0 {
            return false;
        }
        *word |= bit;
        self.count += 1;
        true
    }

    pub fn len(&self) -> u64 {
        self.count
    }

    /// self ∪= other
    pub fn union_with(&mut self, other: &BitSet) {
        if other.words.len() > self.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (a, b) in self.words.iter_mut().zip(other.words.iter()) {
            *a |= b;
        }
        self.count = self.words.iter().map(|w| u64::from(w.count_ones())).sum();
    }

    /// |self ∩ other|
    pub fn intersection_len(&self, other: &BitSet) -> u64 {
        self.words.iter().zip(other.words.iter()).map(|(a, b)| u64::from((a & b).count_ones())).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_and_intersect() {
        let mut a = BitSet::default();
        assert!(a.insert(3));
        assert!(!a.insert(3));
        assert!(a.insert(200));
        let mut b = BitSet::default();
        b.insert(200);
        b.insert(7);
        assert_eq!(a.len(), 2);
        assert_eq!(a.intersection_len(&b), 1);
        a.union_with(&b);
        assert_eq!(a.len(), 3);
    }
}
