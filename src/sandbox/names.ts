/**
 * Built-in name lists for synthetic people (demo users). Names are grouped by language region so a
 * generated full name is coherent (a first and a last name from the same group). E-mail addresses
 * use reserved example domains (RFC 2606 / RFC 6761), so no demo address can ever reach a real inbox.
 */
export interface NameGroup {
  first: readonly string[];
  last: readonly string[];
}

export const NAME_GROUPS: readonly NameGroup[] = [
  {
    first: ['Emma', 'Olivia', 'Liam', 'Noah', 'Ava', 'James', 'Charlotte', 'Benjamin', 'Amelia', 'Lucas', 'Harper', 'Ethan', 'Grace', 'Jack', 'Chloe', 'Daniel'],
    last: ['Smith', 'Johnson', 'Williams', 'Brown', 'Taylor', 'Anderson', 'Thompson', 'Walker', 'Harris', 'Clarke', 'Robinson', 'Wright', 'Mitchell', 'Carter', "O'Connor", 'Murphy'],
  },
  {
    first: ['María', 'José', 'Lucía', 'Alejandro', 'Sofía', 'Javier', 'Valentina', 'Mateo', 'Camila', 'Diego', 'Isabel', 'Andrés', 'Paula', 'Sebastián'],
    last: ['García', 'Fernández', 'López', 'Martínez', 'Rodríguez', 'Sánchez', 'Pérez', 'Gómez', 'Díaz', 'Morales', 'Ortega', 'Navarro', 'Ramírez', 'Castillo'],
  },
  {
    first: ['Lukas', 'Anna', 'Felix', 'Lea', 'Jonas', 'Hannah', 'Maximilian', 'Sophie', 'Leon', 'Marie', 'Paul', 'Jana', 'Tobias', 'Katharina'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Hoffmann', 'Schäfer', 'Koch', 'Richter', 'Wagner', 'Zimmermann', 'Krüger', 'Hartmann'],
  },
  {
    first: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Gabriel', 'Manon', 'Arthur', 'Inès', 'Jules', 'Zoé', 'Théo', 'Élodie', 'Antoine'],
    last: ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Roux', 'Fontaine', 'Chevalier', 'Lambert', 'Rousseau', 'Blanc', 'Garnier'],
  },
  {
    first: ['Giulia', 'Alessandro', 'Francesca', 'Lorenzo', 'Chiara', 'Matteo', 'Martina', 'Davide', 'Sara', 'Riccardo', 'Elena', 'Niccolò'],
    last: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'De Luca'],
  },
  {
    first: ['Chukwuemeka', 'Ngozi', 'Oluwaseun', 'Adaeze', 'Babajide', 'Funmilayo', 'Ifeanyi', 'Chiamaka', 'Tunde', 'Amara', 'Kwame', 'Abena', 'Kofi', 'Yaa'],
    last: ['Okafor', 'Adeyemi', 'Nwosu', 'Okonkwo', 'Balogun', 'Eze', 'Ogunleye', 'Mensah', 'Asante', 'Boateng', 'Owusu', 'Adebayo', 'Obi', 'Danjuma'],
  },
  {
    first: ['Aarav', 'Priya', 'Vivaan', 'Ananya', 'Rohan', 'Diya', 'Arjun', 'Kavya', 'Ishaan', 'Meera', 'Rahul', 'Sneha', 'Vikram', 'Lakshmi'],
    last: ['Sharma', 'Patel', 'Gupta', 'Iyer', 'Reddy', 'Nair', 'Singh', 'Kumar', 'Menon', 'Desai', 'Chatterjee', 'Joshi', 'Rao', 'Kapoor'],
  },
  {
    first: ['Wei', 'Mei', 'Jian', 'Xiu', 'Hao', 'Lina', 'Jun', 'Yan', 'Zhi', 'Ying', 'Chen', 'Fang'],
    last: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun'],
  },
  {
    first: ['Haruto', 'Yui', 'Sota', 'Aoi', 'Ren', 'Hina', 'Kaito', 'Sakura', 'Yuto', 'Mio', 'Daiki', 'Rin'],
    last: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Kato', 'Yoshida', 'Yamada'],
  },
  {
    first: ['Min-jun', 'Seo-yeon', 'Ji-ho', 'Ha-eun', 'Do-yun', 'Ji-woo', 'Hyun-woo', 'Soo-ah', 'Jae-won', 'Yuna'],
    last: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon', 'Jang', 'Lim'],
  },
  {
    first: ['Omar', 'Layla', 'Youssef', 'Fatima', 'Karim', 'Nour', 'Hassan', 'Amira', 'Tariq', 'Yasmin', 'Sami', 'Rania'],
    last: ['Haddad', 'Khalil', 'Mansour', 'Nasser', 'Saleh', 'Farouk', 'Aziz', 'Hamdan', 'Rahman', 'Sabbagh', 'Karam', 'Darwish'],
  },
  {
    first: ['Łukasz', 'Zofia', 'Jakub', 'Agnieszka', 'Piotr', 'Małgorzata', 'Tomasz', 'Katarzyna', 'Michał', 'Aleksandra'],
    last: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kamińska', 'Lewandowski', 'Zieliński', 'Szymańska', 'Dąbrowski', 'Kozłowska'],
  },
  {
    first: ['Astrid', 'Erik', 'Ingrid', 'Lars', 'Freja', 'Søren', 'Sigrid', 'Magnus', 'Linnea', 'Anders', 'Maja', 'Henrik'],
    last: ['Andersson', 'Johansson', 'Nilsson', 'Larsen', 'Hansen', 'Eriksson', 'Jensen', 'Lindqvist', 'Berg', 'Holm', 'Dahl', 'Strand'],
  },
  {
    first: ['João', 'Ana', 'Pedro', 'Beatriz', 'Gustavo', 'Larissa', 'Thiago', 'Fernanda', 'Rafael', 'Juliana', 'Caio', 'Gabriela'],
    last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Almeida', 'Ferreira', 'Ribeiro', 'Carvalho', 'Gonçalves', 'Barbosa'],
  },
  {
    first: ['Mehmet', 'Elif', 'Emre', 'Zeynep', 'Burak', 'Ayşe', 'Can', 'Defne', 'Kerem', 'Selin'],
    last: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Aydın', 'Öztürk', 'Arslan', 'Doğan'],
  },
  {
    first: ['Minh', 'Linh', 'Anh', 'Trang', 'Duc', 'Thao', 'Quang', 'Huong', 'Tuan', 'Mai'],
    last: ['Nguyen', 'Tran', 'Le', 'Pham', 'Hoang', 'Vu', 'Dang', 'Bui', 'Do', 'Ngo'],
  },
];

/** Reserved example domains (never deliverable), named like common mail providers. */
export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.org', 'example.net', 'mail.example', 'inbox.example', 'post.example', 'proton.example', 'fastmail.example'];

/** Lowercase ASCII letters and digits of a name, for the local part of an e-mail address. */
export function emailSlug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/ı/g, 'i')
    .replace(/ø/g, 'o')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
