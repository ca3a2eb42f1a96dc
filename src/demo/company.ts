/**
 * Duret Électricité, the demo company: real postal codes of the Lyon area
 * with approximate centroids, twelve technicians with mixed skills, the
 * services the website sells. Pure data; src/demo/seed.ts writes it.
 */
import type { ZoneKind } from '../db/schema.js';

export const DEMO_SEED = 20261127;

export const COMPANY = {
  name: 'Duret Électricité',
  phone: '04 78 00 12 34',
  /** Lyon is near Geneva: Swiss and Belgian numbers are called back too. */
  phoneCountryCodes: ['33', '32', '41'],
  timezone: 'Europe/Paris',
  windowGrid: [
    { start: '08:00', end: '10:00' },
    { start: '10:00', end: '12:00' },
    { start: '13:30', end: '15:30' },
    { start: '15:30', end: '17:30' },
  ],
  bookingHorizonDays: 42,
};

export const SKILLS = [
  { code: 'elec', label: 'Électricité générale' },
  { code: 'habilitation-br', label: 'Habilitation électrique BR' },
  { code: 'irve', label: 'Bornes de recharge (IRVE)' },
  { code: 'pac', label: 'Pompes à chaleur' },
  { code: 'ssi', label: 'Alarme et sécurité incendie' },
  { code: 'devis', label: 'Devis sur site' },
] as const;

export type SkillCode = (typeof SKILLS)[number]['code'];

export interface DemoPostcode {
  postcode: string;
  city: string;
  lat: number;
  lon: number;
}

export interface DemoZone {
  name: string;
  kind: ZoneKind;
  postcodes: DemoPostcode[];
}

export const ZONES: DemoZone[] = [
  {
    name: 'Lyon intra-muros',
    kind: 'urban',
    postcodes: [
      { postcode: '69001', city: 'Lyon 1er', lat: 45.7675, lon: 4.8345 },
      { postcode: '69002', city: 'Lyon 2e', lat: 45.7485, lon: 4.8267 },
      { postcode: '69003', city: 'Lyon 3e', lat: 45.7597, lon: 4.8503 },
      { postcode: '69004', city: 'Lyon 4e', lat: 45.7786, lon: 4.8272 },
      { postcode: '69005', city: 'Lyon 5e', lat: 45.7566, lon: 4.8035 },
      { postcode: '69006', city: 'Lyon 6e', lat: 45.7695, lon: 4.8502 },
      { postcode: '69007', city: 'Lyon 7e', lat: 45.7416, lon: 4.8403 },
      { postcode: '69008', city: 'Lyon 8e', lat: 45.735, lon: 4.8695 },
      { postcode: '69009', city: 'Lyon 9e', lat: 45.7745, lon: 4.8068 },
    ],
  },
  {
    name: 'Est lyonnais',
    kind: 'periurban',
    postcodes: [
      { postcode: '69100', city: 'Villeurbanne', lat: 45.7713, lon: 4.8902 },
      { postcode: '69120', city: 'Vaulx-en-Velin', lat: 45.7784, lon: 4.9211 },
      { postcode: '69500', city: 'Bron', lat: 45.7386, lon: 4.9131 },
      { postcode: '69150', city: 'Décines-Charpieu', lat: 45.769, lon: 4.959 },
      { postcode: '69330', city: 'Meyzieu', lat: 45.7667, lon: 5.0036 },
      { postcode: '69740', city: 'Genas', lat: 45.7316, lon: 5.0022 },
      { postcode: '69680', city: 'Chassieu', lat: 45.7381, lon: 4.9665 },
      { postcode: '69800', city: 'Saint-Priest', lat: 45.6964, lon: 4.9439 },
    ],
  },
  {
    name: 'Sud lyonnais',
    kind: 'periurban',
    postcodes: [
      { postcode: '69200', city: 'Vénissieux', lat: 45.6975, lon: 4.8858 },
      { postcode: '69600', city: 'Oullins', lat: 45.7142, lon: 4.8075 },
      { postcode: '69780', city: 'Mions', lat: 45.6631, lon: 4.9558 },
      { postcode: '69700', city: 'Givors', lat: 45.5903, lon: 4.7689 },
      { postcode: '69310', city: 'Pierre-Bénite', lat: 45.7036, lon: 4.8247 },
      { postcode: '69190', city: 'Saint-Fons', lat: 45.7086, lon: 4.8533 },
    ],
  },
  {
    name: 'Ouest et Monts d’Or',
    kind: 'periurban',
    postcodes: [
      { postcode: '69160', city: 'Tassin-la-Demi-Lune', lat: 45.7625, lon: 4.7622 },
      { postcode: '69130', city: 'Écully', lat: 45.7744, lon: 4.7775 },
      { postcode: '69290', city: 'Craponne', lat: 45.7453, lon: 4.7236 },
      { postcode: '69760', city: 'Limonest', lat: 45.8369, lon: 4.7717 },
      { postcode: '69300', city: 'Caluire-et-Cuire', lat: 45.7953, lon: 4.8461 },
      { postcode: '69140', city: 'Rillieux-la-Pape', lat: 45.8214, lon: 4.8983 },
    ],
  },
  {
    name: 'Beaujolais',
    kind: 'rural',
    postcodes: [
      { postcode: '69400', city: 'Villefranche-sur-Saône', lat: 45.9897, lon: 4.7186 },
      { postcode: '69480', city: 'Anse', lat: 45.9356, lon: 4.7197 },
      { postcode: '69220', city: 'Belleville-en-Beaujolais', lat: 46.1089, lon: 4.7497 },
      { postcode: '69380', city: 'Lozanne', lat: 45.8572, lon: 4.6831 },
    ],
  },
];

export interface DemoService {
  slug: string;
  name: string;
  description: string;
  durationMinutes: number;
  windowMinutes: number;
  minNoticeMinutes: number;
  maxHorizonDays: number;
  priceLabel: string;
  skills: SkillCode[];
}

export const SERVICES: DemoService[] = [
  {
    slug: 'depannage',
    name: 'Dépannage électrique',
    description: 'Panne de courant, disjoncteur qui saute, prise ou éclairage hors service.',
    durationMinutes: 60,
    windowMinutes: 120,
    minNoticeMinutes: 180,
    maxHorizonDays: 14,
    priceLabel: '65 € TTC/h, déplacement 35 € TTC',
    skills: ['elec'],
  },
  {
    slug: 'prises-eclairage',
    name: 'Pose de prises et éclairages',
    description: 'Ajout ou remplacement de prises, interrupteurs, points lumineux.',
    durationMinutes: 90,
    windowMinutes: 120,
    minNoticeMinutes: 1440,
    maxHorizonDays: 42,
    priceLabel: '65 € TTC/h, déplacement 35 € TTC',
    skills: ['elec'],
  },
  {
    slug: 'tableau-electrique',
    name: 'Mise en sécurité du tableau électrique',
    description: 'Diagnostic et remise aux normes du tableau (NF C 15-100).',
    durationMinutes: 150,
    windowMinutes: 120,
    minNoticeMinutes: 2880,
    maxHorizonDays: 42,
    priceLabel: 'Sur devis, diagnostic 90 € TTC',
    skills: ['elec', 'habilitation-br'],
  },
  {
    slug: 'borne-recharge',
    name: 'Installation de borne de recharge',
    description: 'Pose d’une borne IRVE pour véhicule électrique, par un installateur qualifié.',
    durationMinutes: 180,
    windowMinutes: 120,
    minNoticeMinutes: 4320,
    maxHorizonDays: 42,
    priceLabel: 'À partir de 1 190 € TTC pose comprise',
    skills: ['irve', 'elec'],
  },
  {
    slug: 'entretien-pac',
    name: 'Entretien de pompe à chaleur',
    description: 'Entretien annuel obligatoire, contrôle d’étanchéité et réglages.',
    durationMinutes: 90,
    windowMinutes: 120,
    minNoticeMinutes: 1440,
    maxHorizonDays: 42,
    priceLabel: '149 € TTC, déplacement inclus',
    skills: ['pac'],
  },
  {
    slug: 'alarme-incendie',
    name: 'Vérification alarme et détecteurs',
    description: 'Contrôle d’un système d’alarme intrusion ou incendie.',
    durationMinutes: 60,
    windowMinutes: 120,
    minNoticeMinutes: 1440,
    maxHorizonDays: 42,
    priceLabel: '95 € TTC, déplacement inclus',
    skills: ['ssi'],
  },
  {
    slug: 'devis',
    name: 'Visite de devis sur place',
    description: 'Un technicien vient évaluer vos travaux et établit un devis.',
    durationMinutes: 45,
    windowMinutes: 120,
    minNoticeMinutes: 1440,
    maxHorizonDays: 28,
    priceLabel: 'Devis gratuit, sans engagement',
    skills: ['devis'],
  },
];

export interface DemoTechnician {
  name: string;
  phone: string;
  colour: string;
  homePostcode: string;
  skills: SkillCode[];
  zones: string[];
  /** RRULE BYDAY list of the days worked. */
  days: string;
}

const ALL_WEEK = 'MO,TU,WE,TH,FR';

export const TECHNICIANS: DemoTechnician[] = [
  {
    name: 'Julien Martin',
    phone: '06 11 22 33 01',
    colour: '#1f77b4',
    homePostcode: '69003',
    skills: ['elec', 'habilitation-br', 'devis'],
    zones: ['Lyon intra-muros', 'Est lyonnais'],
    days: ALL_WEEK,
  },
  {
    name: 'Sophie Bernard',
    phone: '06 11 22 33 02',
    colour: '#ff7f0e',
    homePostcode: '69100',
    skills: ['elec', 'irve'],
    zones: ['Est lyonnais', 'Lyon intra-muros'],
    days: ALL_WEEK,
  },
  {
    name: 'Karim Haddad',
    phone: '06 11 22 33 03',
    colour: '#2ca02c',
    homePostcode: '69200',
    skills: ['elec', 'habilitation-br'],
    zones: ['Sud lyonnais', 'Lyon intra-muros'],
    days: ALL_WEEK,
  },
  {
    name: 'Élodie Roux',
    phone: '06 11 22 33 04',
    colour: '#d62728',
    homePostcode: '69160',
    skills: ['pac', 'elec'],
    zones: ['Ouest et Monts d’Or', 'Lyon intra-muros'],
    days: ALL_WEEK,
  },
  {
    name: 'Thomas Petit',
    phone: '06 11 22 33 05',
    colour: '#9467bd',
    homePostcode: '69400',
    skills: ['elec', 'irve', 'devis'],
    zones: ['Beaujolais', 'Ouest et Monts d’Or'],
    days: ALL_WEEK,
  },
  {
    name: 'Nadia Benali',
    phone: '06 11 22 33 06',
    colour: '#8c564b',
    homePostcode: '69500',
    skills: ['ssi', 'elec'],
    zones: ['Est lyonnais', 'Sud lyonnais'],
    days: ALL_WEEK,
  },
  {
    name: 'Lucas Moreau',
    phone: '06 11 22 33 07',
    colour: '#e377c2',
    homePostcode: '69007',
    skills: ['elec'],
    zones: ['Lyon intra-muros'],
    days: 'MO,TU,TH,FR',
  },
  {
    name: 'Camille Fournier',
    phone: '06 11 22 33 08',
    colour: '#7f7f7f',
    homePostcode: '69300',
    skills: ['pac', 'devis'],
    zones: ['Ouest et Monts d’Or', 'Lyon intra-muros', 'Est lyonnais'],
    days: ALL_WEEK,
  },
  {
    name: 'Mehdi Cherif',
    phone: '06 11 22 33 09',
    colour: '#bcbd22',
    homePostcode: '69800',
    skills: ['irve', 'elec', 'habilitation-br'],
    zones: ['Est lyonnais', 'Sud lyonnais'],
    days: ALL_WEEK,
  },
  {
    name: 'Aurélie Girard',
    phone: '06 11 22 33 10',
    colour: '#17becf',
    homePostcode: '69009',
    skills: ['ssi', 'devis'],
    zones: ['Lyon intra-muros', 'Ouest et Monts d’Or'],
    days: 'MO,TU,WE,TH',
  },
  {
    name: 'Pierre Lambert',
    phone: '06 11 22 33 11',
    colour: '#393b79',
    homePostcode: '69600',
    skills: ['elec', 'pac'],
    zones: ['Sud lyonnais', 'Ouest et Monts d’Or'],
    days: ALL_WEEK,
  },
  {
    name: 'Inès Faure',
    phone: '06 11 22 33 12',
    colour: '#637939',
    homePostcode: '69480',
    skills: ['elec', 'ssi', 'devis'],
    zones: ['Beaujolais'],
    days: ALL_WEEK,
  },
];

export const WORKING_PERIODS = [
  { start: '08:00', end: '12:00' },
  { start: '13:30', end: '17:30' },
];

export const CUSTOMER_FIRST_NAMES = [
  'Marie',
  'Jean',
  'Nathalie',
  'Philippe',
  'Isabelle',
  'Michel',
  'Sylvie',
  'Alain',
  'Catherine',
  'Patrick',
  'Christine',
  'Nicolas',
  'Sandrine',
  'Laurent',
  'Valérie',
  'Olivier',
  'Céline',
  'Stéphane',
  'Émilie',
  'François',
];
export const CUSTOMER_LAST_NAMES = [
  'Dubois',
  'Lefebvre',
  'Mercier',
  'Blanc',
  'Guerin',
  'Muller',
  'Henry',
  'Rousseau',
  'Nicolas',
  'Perrin',
  'Morin',
  'Mathieu',
  'Clement',
  'Gauthier',
  'Dumont',
  'Lopez',
  'Fontaine',
  'Chevalier',
  'Robin',
  'Masson',
];
export const STREETS = [
  'rue de la République',
  'avenue Jean Jaurès',
  'rue Victor Hugo',
  'boulevard des Belges',
  'rue Garibaldi',
  'chemin des Vignes',
  'rue du Marché',
  'place de la Mairie',
  'allée des Tilleuls',
  'route de Lyon',
  'rue Pasteur',
  'impasse des Lilas',
];
