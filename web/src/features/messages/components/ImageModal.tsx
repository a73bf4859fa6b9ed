import { X } from 'lucide-react';
import { Modal } from '../../../components/ui/Modal';

export function ImageModal({ src, onClose }: { src: string; onClose: () => void }) {
  return (
    <Modal label="Image" onClose={onClose}>
      <div className="relative">
        <img src={src} alt="Shared image, full size" className="max-h-[85vh] max-w-[92vw] rounded-xl object-contain shadow-2xl" />
        <button
          type="button"
          onClick={onClose}
          aria-label="Close image"
          className="glass absolute top-2 right-2 inline-flex size-11 items-center justify-center rounded-full text-white"
        >
          <X size={20} aria-hidden="true" />
        </button>
      </div>
    </Modal>
  );
}
