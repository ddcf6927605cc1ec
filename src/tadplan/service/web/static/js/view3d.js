// The 3D view of a plan: the GLB scene (teeth with roots, screws coloured by site safety)
// loaded with three.js's GLTFLoader, rotated and zoomed with OrbitControls.
// The scene is in the patient frame (mm; +x patient's left, +y anterior, +z superior); it is
// shown as the clinician faces the patient: superior up, anterior towards the viewer, the
// patient's left on the viewer's right.
import * as THREE from "three";
import { OrbitControls } from "three/addons/controls/OrbitControls.js";
import { GLTFLoader } from "three/addons/loaders/GLTFLoader.js";

function start(box) {
  const canvas = box.querySelector("canvas");
  const status = box.querySelector(".status");
  const renderer = new THREE.WebGLRenderer({
    canvas, antialias: true, preserveDrawingBuffer: true,
  });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  const scene = new THREE.Scene();
  scene.background = new THREE.Color(0xeef2f7);
  const camera = new THREE.PerspectiveCamera(35, 1, 1, 2000);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x667788, 1.6));
  const key = new THREE.DirectionalLight(0xffffff, 1.8);
  key.position.set(60, 120, 160);
  scene.add(key);
  const fill = new THREE.DirectionalLight(0xffffff, 0.7);
  fill.position.set(-80, -40, -120);
  scene.add(fill);

  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;

  function resize() {
    const w = box.clientWidth, h = box.clientHeight;
    renderer.setSize(w, h, false);
    camera.aspect = w / h;
    camera.updateProjectionMatrix();
    render();
  }
  function render() { renderer.render(scene, camera); }
  controls.addEventListener("change", render);
  new ResizeObserver(resize).observe(box);

  // patient (x, y, z) -> view (x, z, y): a reflection, because the patient frame is the
  // clinician's view mirrored; three.js flips the faces of a mirrored object itself
  const frame = new THREE.Group();
  frame.matrixAutoUpdate = false;
  frame.matrix.set(1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1);
  scene.add(frame);

  status.textContent = "Loading the 3D scene…";
  new GLTFLoader().load(
    box.dataset.src,
    (gltf) => {
      frame.add(gltf.scene);
      frame.updateMatrixWorld(true);
      const bounds = new THREE.Box3().setFromObject(frame);
      const centre = bounds.getCenter(new THREE.Vector3());
      const size = bounds.getSize(new THREE.Vector3()).length();
      controls.target.copy(centre);
      // from in front, a little to the patient's right and above: the buccal sites show
      camera.position.copy(centre).add(new THREE.Vector3(-size * 0.55, size * 0.3, size * 0.95));
      camera.near = size / 100;
      camera.far = size * 10;
      controls.update();
      resize();
      status.textContent = "";
      box.dataset.loaded = String(gltf.scene.children.length);
    },
    undefined,
    (err) => {
      status.textContent = "The 3D scene could not be loaded.";
      box.dataset.error = String(err && err.message ? err.message : err);
    },
  );
}

document.querySelectorAll(".viewer[data-src]").forEach(start);
